/**
 * Parsers for the Linux procfs files the collectors read. Pure: text in, numbers out, so they are
 * tested on recorded file contents as well as on this machine's live files. Formats are those of
 * the kernel's `Documentation/filesystems/proc.rst` and `Documentation/admin-guide/iostats.rst`.
 */

/**
 * Clock ticks per second of `/proc/stat` (the kernel's `USER_HZ`). It is 100 on every Linux
 * architecture Node supports; Node cannot call `sysconf(_SC_CLK_TCK)`, and Prometheus' procfs
 * library (behind node_exporter) hard-codes the same value for the same reason.
 *
 * @example
 * ```ts
 * const seconds = jiffies / USER_HZ;
 * ```
 */
export const USER_HZ = 100;

/**
 * The CPU modes node_exporter reports, in `/proc/stat` column order (guest time is already
 * included in `user` and `nice` by the kernel, so it is not a mode of its own).
 *
 * @example
 * ```ts
 * cpuModes[0]; // "user"
 * ```
 */
export const cpuModes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

/**
 * A CPU mode.
 *
 * @example
 * ```ts
 * const mode: CpuMode = "iowait";
 * ```
 */
export type CpuMode = (typeof cpuModes)[number];

/**
 * Seconds one core spent in each mode since boot.
 *
 * @example
 * ```ts
 * const [first] = parseProcStat(text); // { cpu: "0", seconds: { user: 37.03, nice: 0, … } }
 * ```
 */
export interface CoreTimes {
  readonly cpu: string;
  readonly seconds: Readonly<Record<CpuMode, number>>;
}

/**
 * Per-core times from `/proc/stat` (`cpuN` lines; the aggregate `cpu` line is left out, as
 * node_exporter does: sums are for the query). Missing trailing columns (old kernels) read as 0.
 *
 * @example
 * ```ts
 * parseProcStat("cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100 0 0 0 0 0 0\n")[0]!.seconds.user; // 0.1
 * ```
 */
export function parseProcStat(text: string): CoreTimes[] {
  const cores: CoreTimes[] = [];
  for (const line of text.split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const columns = match[2]!.trim().split(/\s+/).map(Number);
    const seconds = {} as Record<CpuMode, number>;
    cpuModes.forEach((mode, i) => {
      const jiffies = columns[i] ?? 0;
      seconds[mode] = Number.isFinite(jiffies) ? jiffies / USER_HZ : 0;
    });
    cores.push({ cpu: match[1]!, seconds });
  }
  return cores;
}

/**
 * Load averages from `/proc/loadavg`.
 *
 * @example
 * ```ts
 * parseLoadavg("0.48 0.38 0.16 2/157 8338\n"); // { load1: 0.48, load5: 0.38, load15: 0.16 }
 * ```
 */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  if (![load1, load5, load15].every((v) => v !== undefined && Number.isFinite(v))) {
    throw new SyntaxError(`/proc/loadavg: cannot read "${text.trim()}"`);
  }
  return { load1: load1!, load5: load5!, load15: load15! };
}

/**
 * `/proc/meminfo` fields in bytes (values in `kB` are kibibytes; unitless counts such as
 * `HugePages_Total` are kept as they are). Names are node_exporter's: `Active(anon)` becomes
 * `Active_anon`.
 *
 * @example
 * ```ts
 * parseMeminfo("MemTotal:       2048 kB\n").get("MemTotal"); // 2097152
 * ```
 */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([^:]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match === null) continue;
    const name = match[1]!.replace(/\((.*)\)/, "_$1");
    const value = Number(match[2]);
    fields.set(name, line.trimEnd().endsWith("kB") ? value * 1024 : value);
  }
  return fields;
}

/**
 * One block device's I/O counters since boot, from `/proc/diskstats`.
 *
 * @example
 * ```ts
 * const vda: DiskStats = parseDiskstats(text).find((d) => d.device === "vda")!;
 * ```
 */
export interface DiskStats {
  readonly device: string;
  readonly readsCompleted: number;
  /** Sectors are 512 bytes in `/proc/diskstats` whatever the device's real sector size. */
  readonly readBytes: number;
  readonly writesCompleted: number;
  readonly writtenBytes: number;
  readonly ioTimeSeconds: number;
}

/**
 * node_exporter's default `--collector.diskstats.device-exclude`: RAM disks, loop devices, floppies
 * and partitions (whose I/O is already counted on their disk).
 *
 * @example
 * ```ts
 * ignoredDisk.test("vda1"); // true
 * ```
 */
export const ignoredDisk = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

/**
 * Whole-disk counters from `/proc/diskstats`, partitions and virtual devices left out
 * ({@link ignoredDisk}).
 *
 * @example
 * ```ts
 * parseDiskstats(" 254 0 vda 39361 7631 1843802 9106 38821 10676 2853288 20706 0 11668 34849\n")[0]!.readBytes; // 944026624
 * ```
 */
export function parseDiskstats(text: string): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 14) continue;
    const device = fields[2]!;
    if (ignoredDisk.test(device)) continue;
    const n = (i: number) => Number(fields[i]);
    disks.push({
      device,
      readsCompleted: n(3),
      readBytes: n(5) * 512,
      writesCompleted: n(7),
      writtenBytes: n(9) * 512,
      ioTimeSeconds: n(12) / 1000,
    });
  }
  return disks;
}

/**
 * One network interface's counters since it came up, from `/proc/net/dev`.
 *
 * @example
 * ```ts
 * const lo: InterfaceStats = parseNetDev(text).find((i) => i.device === "lo")!;
 * ```
 */
export interface InterfaceStats {
  readonly device: string;
  readonly receiveBytes: number;
  readonly receivePackets: number;
  readonly receiveErrs: number;
  readonly receiveDrop: number;
  readonly transmitBytes: number;
  readonly transmitPackets: number;
  readonly transmitErrs: number;
  readonly transmitDrop: number;
}

/**
 * Interface counters from `/proc/net/dev` (two header lines, then `name: 16 numbers`; a large first
 * number may touch the colon, so the line is split there first).
 *
 * @example
 * ```ts
 * parseNetDev("h1\nh2\n    lo:   37440     503    0    0    0     0          0         0    37440     503    0    0    0     0       0          0\n")[0]!.receiveBytes; // 37440
 * ```
 */
export function parseNetDev(text: string): InterfaceStats[] {
  const interfaces: InterfaceStats[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const n = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (device === "" || device.includes("|") || n.length < 16 || !n.every(Number.isFinite)) continue;
    interfaces.push({
      device,
      receiveBytes: n[0]!,
      receivePackets: n[1]!,
      receiveErrs: n[2]!,
      receiveDrop: n[3]!,
      transmitBytes: n[8]!,
      transmitPackets: n[9]!,
      transmitErrs: n[10]!,
      transmitDrop: n[11]!,
    });
  }
  return interfaces;
}

/**
 * One line of `/proc/self/mounts`.
 *
 * @example
 * ```ts
 * const root: MountEntry = { device: "/dev/vda", mountpoint: "/", fstype: "ext4" };
 * ```
 */
export interface MountEntry {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
}

/**
 * Mounts from `/proc/self/mounts`, with the kernel's octal escapes (`\040` for a space) undone.
 *
 * @example
 * ```ts
 * parseMounts("/dev/vda / ext4 rw,relatime 0 0\n"); // [{ device: "/dev/vda", mountpoint: "/", fstype: "ext4" }]
 * ```
 */
export function parseMounts(text: string): MountEntry[] {
  const decode = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  const mounts: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const [device, mountpoint, fstype] = line.split(" ");
    if (device === undefined || mountpoint === undefined || fstype === undefined) continue;
    mounts.push({ device: decode(device), mountpoint: decode(mountpoint), fstype });
  }
  return mounts;
}

/**
 * The mount a path lives on: the mount with the longest mountpoint that is a prefix of the path
 * (the last one listed wins a tie, as a later mount hides an earlier one at the same place).
 *
 * @example
 * ```ts
 * mountOf("/var/lib/tiktoktoe", mounts)?.mountpoint; // "/"
 * ```
 */
export function mountOf(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    const prefix = mount.mountpoint.endsWith("/") ? mount.mountpoint : `${mount.mountpoint}/`;
    const inside = path === mount.mountpoint || path.startsWith(prefix);
    if (inside && (best === undefined || mount.mountpoint.length >= best.mountpoint.length)) best = mount;
  }
  return best;
}
