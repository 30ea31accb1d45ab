import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  mountOf,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from "./procfs.js";

// Recorded on the 2-core development VM (Linux, virtio disk) on which these collectors were written.
const stat = `cpu  7916 0 4196 25802 732 0 200 168 0 0
cpu0 3703 0 1624 13951 81 0 45 69 0 0
cpu1 4213 0 2571 11851 650 0 154 98 0 0
intr 1155418 0 9 0 0 0 0 0 0 0 0 0 0 0
ctxt 2305830
btime 1767225600
processes 8338
`;
const diskstats = `   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 39361 7631 1843802 9106 38821 10676 2853288 20706 0 11668 34849 11488 110 836000 2160 7451 2875
 254       1 vda1 100 0 800 10 0 0 0 0 0 10 10 0 0 0 0 0 0
 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 259       0 nvme0n1 10 0 16 1 20 0 40 2 0 3 3
 259       1 nvme0n1p1 10 0 16 1 20 0 40 2 0 3 3
`;
const netDev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:   37440     503    0    0    0     0          0         0    37440     503    0    0    0     0       0          0
  eth0:147264134    4273    2    7    0     0          0         0   163154    2292    1    3    0     0       0          0
`;

describe("procfs parsers on recorded files", () => {
  test("/proc/stat: per-core jiffies become seconds at USER_HZ 100; the aggregate line is left out", () => {
    const cores = parseProcStat(stat);
    assert.deepEqual(
      cores.map((c) => c.cpu),
      ["0", "1"],
    );
    assert.deepEqual(cores[1]!.seconds, {
      user: 42.13,
      nice: 0,
      system: 25.71,
      idle: 118.51,
      iowait: 6.5,
      irq: 0,
      softirq: 1.54,
      steal: 0.98,
    });
  });

  test("/proc/stat of an old kernel without steal: missing columns read as 0", () => {
    assert.equal(parseProcStat("cpu0 1 2 3 4 5\n")[0]!.seconds.steal, 0);
  });

  test("/proc/loadavg", () => {
    assert.deepEqual(parseLoadavg("0.48 0.38 0.16 2/157 8338\n"), { load1: 0.48, load5: 0.38, load15: 0.16 });
    assert.throws(() => parseLoadavg(""), SyntaxError);
  });

  test("/proc/meminfo: kB are KiB; unitless counts stay; (anon) becomes _anon", () => {
    const fields = parseMeminfo(
      "MemTotal:        8131796 kB\nMemAvailable:    6011240 kB\nActive(anon):      10 kB\nHugePages_Total:       0\n",
    );
    assert.equal(fields.get("MemTotal"), 8131796 * 1024);
    assert.equal(fields.get("MemAvailable"), 6011240 * 1024);
    assert.equal(fields.get("Active_anon"), 10240);
    assert.equal(fields.get("HugePages_Total"), 0);
  });

  test("/proc/diskstats: whole disks only, 512-byte sectors, milliseconds of I/O as seconds", () => {
    const disks = parseDiskstats(diskstats);
    assert.deepEqual(
      disks.map((d) => d.device),
      ["vda", "nvme0n1"],
    );
    assert.deepEqual(disks[0], {
      device: "vda",
      readsCompleted: 39361,
      readBytes: 1843802 * 512,
      writesCompleted: 38821,
      writtenBytes: 2853288 * 512,
      ioTimeSeconds: 11.668,
    });
  });

  test("/proc/net/dev: both header lines skipped; a number touching the colon still reads", () => {
    const interfaces = parseNetDev(netDev);
    assert.deepEqual(interfaces[1], {
      device: "eth0",
      receiveBytes: 147264134,
      receivePackets: 4273,
      receiveErrs: 2,
      receiveDrop: 7,
      transmitBytes: 163154,
      transmitPackets: 2292,
      transmitErrs: 1,
      transmitDrop: 3,
    });
    assert.equal(interfaces[0]!.device, "lo");
  });

  test("/proc/self/mounts: octal escapes undone; a path's mount is the longest matching mountpoint", () => {
    const mounts = parseMounts(
      "/dev/vda / ext4 rw,relatime 0 0\ntmpfs /tmp tmpfs rw 0 0\n/dev/vdb /mnt/my\\040data xfs rw 0 0\n",
    );
    assert.equal(mounts[2]!.mountpoint, "/mnt/my data");
    assert.equal(mountOf("/var/lib/tiktoktoe", mounts)?.mountpoint, "/");
    assert.equal(mountOf("/tmp", mounts)?.fstype, "tmpfs");
    assert.equal(mountOf("/tmpfoo", mounts)?.mountpoint, "/");
    assert.equal(mountOf("/mnt/my data/x", mounts)?.device, "/dev/vdb");
    assert.equal(mountOf("relative", mounts), undefined);
  });
});
