#!/usr/bin/python3
"""An NBD client for the daemon's tests, on libnbd's Python binding (Debian's
python3-libnbd): writes blocks whose content names (block, version), keeps the
versions a flush acknowledged in a state file, and verifies them.

  nbd_client.py SOCKET info
  nbd_client.py SOCKET write STATE PASSES SEED [CONNS]   overwrite, CONNS clients on disjoint ranges
  nbd_client.py SOCKET multiconn STATE                   write on one connection, flush on another
  nbd_client.py SOCKET unflushed STATE COUNT              writes not flushed (for a kill -9 after)
  nbd_client.py SOCKET verify STATE                      every acknowledged block has its version
  nbd_client.py SOCKET bad                               malformed requests fail, the server serves on
  nbd_client.py SOCKET readonly                          writes fail with EROFS/EPERM, reads work
Exit status 0 when every check passed; a failure prints what and exits 1.
"""
import errno
import json
import os
import random
import struct
import sys
import threading

import nbd

BLOCK = 4096


def connect(sock, strict=True):
    h = nbd.NBD()
    if not strict:
        h.set_strict_mode(0)  # let malformed requests reach the server
    h.connect_unix(sock)
    return h


def content(block, version):
    head = struct.pack("<QQ", block, version)
    return (head * (BLOCK // len(head)))


def fail(msg):
    print("FAIL", msg)
    sys.exit(1)


def load(state):
    if not os.path.exists(state):
        return {}
    with open(state) as f:
        return {int(k): v for k, v in json.load(f).items()}


def save(state, versions):
    tmp = state + ".tmp"
    with open(tmp, "w") as f:
        json.dump({str(k): v for k, v in versions.items()}, f)
    os.replace(tmp, state)


def cmd_info(sock):
    h = connect(sock)
    checks = {
        "can_multi_conn": h.can_multi_conn(), "can_fua": h.can_fua(),
        "can_flush": h.can_flush(), "can_trim": h.can_trim(),
        "can_zero": h.can_zero(), "can_fast_zero": h.can_fast_zero(),
    }
    for k, v in checks.items():
        if not v:
            fail("server does not advertise " + k)
    mn = h.get_block_size(nbd.SIZE_MINIMUM)
    pref = h.get_block_size(nbd.SIZE_PREFERRED)
    if mn != BLOCK or pref != BLOCK:
        fail("block sizes %d/%d, want 4096/4096" % (mn, pref))
    size = h.get_size()
    if size <= 0 or size % BLOCK:
        fail("size %d" % size)
    print("size", size, "blocks", size // BLOCK, "min", mn, "preferred", pref, "multi-conn 1")
    h.shutdown()


def writer(sock, blocks, passes, seed, versions, base_version, lock, errors):
    """Overwrites `blocks` `passes` times in random runs; versions acknowledged
    by the final flush are recorded."""
    try:
        h = connect(sock)
        rng = random.Random(seed)
        mine = {}
        lo, hi = blocks
        for p in range(passes):
            order = list(range(lo, hi))
            rng.shuffle(order)
            i = 0
            while i < len(order):
                start = order[i]
                run = min(rng.choice([1, 1, 2, 4, 16]), hi - start)
                v = base_version + p + 1
                data = b"".join(content(b, v) for b in range(start, start + run))
                fua = rng.random() < 0.05
                h.pwrite(data, start * BLOCK, nbd.CMD_FLAG_FUA if fua else 0)
                for b in range(start, start + run):
                    mine[b] = v
                i += 1
                if rng.random() < 0.02:  # trims and zeroes now and then
                    b = rng.randrange(lo, hi)
                    if rng.random() < 0.5:
                        h.trim(BLOCK, b * BLOCK)
                    else:
                        h.zero(BLOCK, b * BLOCK)
                    mine[b] = 0
        h.flush()
        with lock:
            versions.update(mine)
        h.shutdown()
    except Exception as e:  # reported by the caller
        errors.append(repr(e))


def cmd_write(sock, state, passes, seed, conns=1):
    versions = load(state)
    base = max(versions.values(), default=0)
    h = connect(sock)
    nblocks = h.get_size() // BLOCK
    h.shutdown()
    per = nblocks // conns
    lock, errors, threads = threading.Lock(), [], []
    for c in range(conns):
        rng = (c * per, nblocks if c == conns - 1 else (c + 1) * per)
        t = threading.Thread(target=writer, args=(sock, rng, passes, seed + c, versions, base,
                                                  lock, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    if errors:
        fail("writer: " + "; ".join(errors))
    save(state, versions)
    print("wrote", passes, "passes over", nblocks, "blocks with", conns, "connections")


def cmd_multiconn(sock, state):
    """A flush on connection B makes A's completed writes durable (multi-conn)."""
    versions = load(state)
    base = max(versions.values(), default=0) + 1
    a, b = connect(sock), connect(sock)
    nblocks = a.get_size() // BLOCK
    picked = random.Random(7).sample(range(nblocks), min(64, nblocks))
    for blk in picked:
        a.pwrite(content(blk, base), blk * BLOCK)
        versions[blk] = base
    b.flush()  # A has not flushed: B's flush is the barrier
    save(state, versions)
    print("multiconn: 64 writes on A, flushed by B")
    os._exit(0)  # leave both connections open: the kill -9 comes next


def cmd_unflushed(sock, state, count):
    """Writes that no flush acknowledged: after a crash each block holds the
    old version or the new one (recorded as allowed)."""
    versions = load(state)
    base = max(versions.values(), default=0) + 1
    h = connect(sock)
    nblocks = h.get_size() // BLOCK
    maybe = {}
    for blk in random.Random(11).sample(range(nblocks), min(count, nblocks)):
        h.pwrite(content(blk, base), blk * BLOCK)
        maybe[blk] = base
    with open(state + ".maybe", "w") as f:
        json.dump({str(k): v for k, v in maybe.items()}, f)
    print("unflushed:", len(maybe), "writes")
    os._exit(0)


def cmd_verify(sock, state):
    versions = load(state)
    maybe = {}
    if os.path.exists(state + ".maybe"):
        with open(state + ".maybe") as f:
            maybe = {int(k): v for k, v in json.load(f).items()}
    h = connect(sock)
    nblocks = h.get_size() // BLOCK
    zero = bytes(BLOCK)
    bad = 0
    step = 256
    for start in range(0, nblocks, step):
        n = min(step, nblocks - start)
        data = h.pread(n * BLOCK, start * BLOCK)
        for i in range(n):
            blk = start + i
            got = data[i * BLOCK:(i + 1) * BLOCK]
            want = versions.get(blk, 0)
            ok = got == (zero if want == 0 else content(blk, want))
            if not ok and blk in maybe:
                ok = got == content(blk, maybe[blk])
            if not ok:
                bad += 1
                if bad <= 5:
                    head = struct.unpack("<QQ", got[:16])
                    print("block", blk, "want version", want, "got (block, version)", head)
    if bad:
        fail("%d of %d blocks wrong" % (bad, nblocks))
    print("verified", nblocks, "blocks,", sum(1 for v in versions.values() if v), "written")
    h.shutdown()


def expect_error(what, fn, errnos):
    try:
        fn()
    except nbd.Error as e:
        # libnbd gives the errno as its name ("EINVAL") or as a number.
        if e.errno not in errnos and e.errno not in [errno.errorcode[x] for x in errnos]:
            fail("%s: errno %s (%s), want one of %s" % (what, e.errno, e.string, errnos))
        return
    fail(what + " succeeded")


def cmd_bad(sock):
    h = connect(sock, strict=False)
    size = h.get_size()
    buf = bytes(BLOCK)
    expect_error("read past the end", lambda: h.pread(BLOCK, size), [errno.EINVAL, errno.ENOSPC])
    expect_error("write past the end", lambda: h.pwrite(buf, size), [errno.EINVAL, errno.ENOSPC])
    expect_error("write straddling the end", lambda: h.pwrite(buf + buf, size - BLOCK),
                 [errno.EINVAL, errno.ENOSPC])
    expect_error("unaligned read", lambda: h.pread(512, 512), [errno.EINVAL])
    expect_error("unaligned write", lambda: h.pwrite(bytes(512), 4096 + 512), [errno.EINVAL])
    expect_error("unaligned trim", lambda: h.trim(512, 0), [errno.EINVAL])
    expect_error("unaligned zero", lambda: h.zero(100, 8192), [errno.EINVAL])
    # The server still serves this connection and a new one.
    h.pread(BLOCK, 0)
    h2 = connect(sock)
    h2.pread(BLOCK, size - BLOCK)
    h2.flush()
    print("malformed requests refused: 7; the server serves on")


def cmd_readonly(sock):
    h = connect(sock, strict=False)
    h.pread(BLOCK, 0)
    expect_error("write to a read-only export", lambda: h.pwrite(bytes(BLOCK), 0),
                 [errno.EROFS, errno.EPERM])
    print("read-only: reads work, writes refused")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    sock, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "info":
        cmd_info(sock)
    elif cmd == "write":
        cmd_write(sock, args[0], int(args[1]), int(args[2]), int(args[3]) if len(args) > 3 else 1)
    elif cmd == "multiconn":
        cmd_multiconn(sock, args[0])
    elif cmd == "unflushed":
        cmd_unflushed(sock, args[0], int(args[1]))
    elif cmd == "verify":
        cmd_verify(sock, args[0])
    elif cmd == "bad":
        cmd_bad(sock)
    elif cmd == "readonly":
        cmd_readonly(sock)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
