# The optional native drift kernels (docs/decisions.md, "Drift engine"). Built by
# tools/build-native.mjs during `npm run build`; when it cannot be built, the JS kernels are used.
{
  "targets": [
    {
      "target_name": "tiktoktoe_native",
      "sources": ["addon.c", "kernels.c", "csv.c", "learn.c", "ndjson.c"],
      # No fused multiply-add (GCC contracts by default on arm64): results must equal the JS kernels'.
      # -fno-math-errno only stops sqrt() from setting errno (its value is the same), so that the
      # learner's loops vectorise.
      "cflags": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno", "-std=c11", "-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-ffp-contract=off", "-fno-fast-math", "-fno-math-errno", "-std=c11"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/fp:precise", "/O2"] }
      }
    }
  ]
}
