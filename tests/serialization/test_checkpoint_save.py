"""Where and how ``save`` writes: atomically (crashes and kill -9 never damage the previous
checkpoint), through symlinks, keeping the replaced file's mode and owner, in place to
``/dev/null`` and FIFOs as ``torch.save`` does, refusing directories and sockets, fsync-ing the
file before the rename and the folder after it, and removing only the temporary files that
earlier saves of the same path abandoned. The oracles: ``torch.save`` on the same paths where
PyTorch defines the behaviour, otherwise the file system itself (stat, listdir, readlink)."""

from __future__ import annotations

import errno
import io
import os
import random
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import serialization as S

OBJ = {"w": ag.arange(12, dtype=ag.float32).reshape(3, 4), "step": 7}


def _loads_obj(path) -> bool:
    back = ag.load(path)
    return back["step"] == 7 and back["w"].numpy().tobytes() == OBJ["w"].numpy().tobytes()


def _temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


def test_crash_mid_save_keeps_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.st"
    ag.save({"w": ag.randn(1000), "step": 1}, p)
    before = p.read_bytes()
    real_write = S._write

    def crashing_write(fh, head, order, arrays):
        real = io.BytesIO()
        real_write(real, head, order, arrays)
        fh.write(real.getvalue()[:100])  # half-written ...
        raise KeyboardInterrupt("simulated crash mid-save")  # ... then the process dies

    monkeypatch.setattr(S, "_write", crashing_write)
    with pytest.raises(KeyboardInterrupt):
        ag.save({"w": ag.randn(1000), "step": 2}, p)
    assert p.read_bytes() == before and ag.load(p)["step"] == 1
    assert os.listdir(tmp_path) == ["ckpt.st"]  # the temporary file was cleaned up
    monkeypatch.setattr(S, "_write", real_write)

    def failing_fsync(fd):
        raise OSError(errno.ENOSPC, "disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        ag.save({"step": 3}, p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.st"]
    monkeypatch.undo()
    ag.save({"step": 4}, p)
    assert ag.load(p)["step"] == 4 and os.listdir(tmp_path) == ["ckpt.st"]


def test_fsyncs_the_file_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.st"
    p.write_bytes(b"old")
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        mode = os.fstat(fd).st_mode
        kind = "dir" if stat.S_ISDIR(mode) else "file"
        # a file fsync-ed while the target still holds the old bytes: before the rename
        events.append((f"fsync-{kind}", p.read_bytes() == b"old", os.fstat(fd).st_size))
        real_fsync(fd)

    def replace(a, b):
        events.append(("replace", os.fspath(b) == os.fspath(p), 0))
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    ag.save(OBJ, p)
    size = p.stat().st_size
    assert [e[:2] for e in events] == [("fsync-file", True), ("replace", True),
                                       ("fsync-dir", False)]
    assert events[0][2] == size  # the whole file was written when it was fsync-ed
    assert _loads_obj(p)


def test_unwritable_folder_error_names_the_target(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.st"
    real_open = os.open

    def no_create(path, flags, mode=0o777, **kw):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", no_create)  # a folder this user cannot write to
    with pytest.raises(PermissionError, match=r"save: cannot create the temporary file beside "
                                              r".*ckpt\.st' that replacing it atomically needs "
                                              r"\(Permission denied\)"):
        ag.save(OBJ, p)
    assert not p.exists()


@pytest.mark.parametrize("relative", [False, True])
def test_writes_through_symlinks(tmp_path, relative):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.st"
    ag.save({"step": 0}, target)
    link1, link2 = tmp_path / "link1.st", tmp_path / "link2.st"
    link1.symlink_to(os.path.relpath(target, tmp_path) if relative else target)
    link2.symlink_to(link1)  # a chain
    ag.save(OBJ, link2)
    assert link1.is_symlink() and link2.is_symlink()  # the links are untouched ...
    assert os.readlink(link2) == str(link1)
    assert target.is_file() and not target.is_symlink() and _loads_obj(target)  # ... the file new
    assert _temps(tmp_path) == [] and _temps(tmp_path / "real") == []
    torch = pytest.importorskip("torch")  # the oracle: torch.save also writes through
    torch.save(torch.ones(1), link2)
    assert link2.is_symlink() and link1.is_symlink() and target.is_file()


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.st"
    link.symlink_to(tmp_path / "new.st")
    ag.save(OBJ, link)
    assert link.is_symlink() and _loads_obj(tmp_path / "new.st")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_keeps_the_replaced_files_mode(tmp_path, mode):
    p = tmp_path / "ckpt.st"
    ag.save({"step": 0}, p)
    os.chmod(p, mode)
    ag.save(OBJ, p)
    assert stat.S_IMODE(p.stat().st_mode) == mode and _loads_obj(p)


def test_write_protected_file_is_not_replaced(tmp_path, monkeypatch):
    """A file this user may not write (0444 for a non-root user) is refused as open() refuses
    it, not replaced around its protection. (Root may write anything: simulated here.)"""
    p = tmp_path / "ckpt.st"
    ag.save({"step": 0}, p)
    os.chmod(p, 0o444)
    before = p.read_bytes()
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda f, mode, **kw: mode != os.W_OK and
                            real_access(f, mode, **kw))
    with pytest.raises(PermissionError, match=r"save: .*ckpt\.st' is not writable "
                                              r"\(mode -r--r--r--\)"):
        ag.save(OBJ, p)
    assert p.read_bytes() == before and _temps(tmp_path) == []


def test_new_file_mode_follows_the_umask_like_torch_save(tmp_path):
    torch = pytest.importorskip("torch")
    old = os.umask(0o027)
    try:
        ag.save(OBJ, tmp_path / "ours.st")
        torch.save(torch.ones(1), tmp_path / "theirs.pt")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "ours.st").stat().st_mode)
    assert mode == 0o640 == stat.S_IMODE((tmp_path / "theirs.pt").stat().st_mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_keeps_the_replaced_files_owner(tmp_path):
    p = tmp_path / "ckpt.st"
    ag.save({"step": 0}, p)
    os.chown(p, 12345, 23456)
    os.chmod(p, 0o640)
    ag.save(OBJ, p)
    st = p.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (12345, 23456, 0o640)


def test_dev_null_is_written_in_place_like_torch_save():
    torch = pytest.importorskip("torch")
    before = os.stat("/dev/null")
    ag.save(OBJ, "/dev/null")
    torch.save(torch.ones(1), "/dev/null")  # the oracle does the same
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino and stat.S_IMODE(after.st_mode) == 0o666


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    ag.save(OBJ, fifo)
    reader.join(10)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and _temps(tmp_path) == []
    back = ag.load(io.BytesIO(got[0]))
    assert back["step"] == 7 and back["w"].tolist() == OBJ["w"].tolist()


def test_directories_and_sockets_are_refused(tmp_path):
    torch = pytest.importorskip("torch")
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="save: .* is a directory"):
        ag.save(OBJ, tmp_path / "d")
    with pytest.raises(RuntimeError, match="Is a directory"):  # the oracle refuses too
        torch.save(torch.ones(1), tmp_path / "d")
    assert os.listdir(tmp_path / "d") == []
    if not hasattr(socket, "AF_UNIX"):
        return
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "sock"))
        with pytest.raises(OSError, match="is a socket; only regular files") as e:
            ag.save(OBJ, tmp_path / "sock")
        assert e.value.errno == errno.EINVAL
        assert stat.S_ISSOCK((tmp_path / "sock").stat().st_mode)
    assert _temps(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_block_device_node_is_refused_not_replaced(tmp_path):
    # Issue 11: as root, save turned a device node into a regular file. A block device is
    # refused (writing a checkpoint over a disk is never meant), and the node stays as it was;
    # load refuses it before opening it.
    node = tmp_path / "disk"
    try:
        os.mknod(node, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    except OSError as e:  # a container without CAP_MKNOD
        pytest.skip(f"cannot make a device node here ({e})")
    with pytest.raises(OSError, match="is a block device; only regular files") as e:
        ag.save(OBJ, node)
    assert e.value.errno == errno.EINVAL
    st = node.stat()
    assert stat.S_ISBLK(st.st_mode) and st.st_rdev == os.makedev(7, 200)
    assert sorted(os.listdir(tmp_path)) == ["disk"]
    with pytest.raises(S.CheckpointError, match="is a block device, not a regular file"):
        ag.load(node)


# ----------------------------------------------------------------------------- stale temps
def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # reaped: the pid names no process
    return pid


def _plant(folder: Path, name: str, data: bytes = b"partial checkpoint", age_s: float = 0):
    path = folder / name
    path.write_bytes(data)
    if age_s:
        t = time.time() - age_s
        os.utime(path, (t, t))
    return path


@pytest.mark.skipif(S.fcntl is None or not hasattr(os, "fork"), reason="needs flock and fork")
def test_removes_only_abandoned_temporary_files(tmp_path):
    import fcntl

    p = tmp_path / "ckpt.st"
    dead, me = _dead_pid(), os.getpid()
    removed = [
        _plant(tmp_path, f".ckpt.st.{dead}.0123abcd.tmp"),  # its writer is gone
        _plant(tmp_path, f".ckpt.st.{me}.0123abce.tmp"),  # unlocked yet written: abandoned
        _plant(tmp_path, f".ckpt.st.{dead}.0123abcf.tmp", b""),  # empty, writer gone
        _plant(tmp_path, ".ckpt.st.ab_c9xyz.tmp", age_s=7200),  # mkstemp-style, 2 h untouched
    ]
    kept = [
        _plant(tmp_path, f".ckpt.st.{me}.0123abd0.tmp", b""),  # a save about to lock it
        _plant(tmp_path, ".ckpt.st.ab_c9xyz.tmp".replace("9", "8")),  # mkstemp-style, recent
        _plant(tmp_path, f".other.st.{dead}.0123abcd.tmp"),  # another target's
        _plant(tmp_path, f".ckpt.st.{dead}.0123abcd.tmp.bak"),  # not the pattern
        _plant(tmp_path, f".ckpt.st.{dead}.0123ABCD.tmp"),  # not the pattern
        _plant(tmp_path, "ckpt.st.1.0123abcd.tmp"),  # not hidden: not ours
    ]
    locked = _plant(tmp_path, f".ckpt.st.{dead}.0123abd1.tmp")  # a live save holds its lock
    (tmp_path / f".ckpt.st.{dead}.0123abd2.tmp").mkdir()  # a directory named like ours
    (tmp_path / f".ckpt.st.{dead}.0123abd3.tmp").symlink_to(locked)  # a symlink named like ours
    kept += [locked, tmp_path / f".ckpt.st.{dead}.0123abd2.tmp",
             tmp_path / f".ckpt.st.{dead}.0123abd3.tmp"]
    if os.geteuid() == 0:  # another user's file is never ours to remove
        other = _plant(tmp_path, f".ckpt.st.{dead}.0123abd4.tmp")
        os.chown(other, 12345, 12345)
        kept.append(other)
    with open(locked, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        ag.save(OBJ, p)
    assert _loads_obj(p)
    assert [x.name for x in removed if os.path.lexists(x)] == []
    assert [x.name for x in kept if not os.path.lexists(x)] == []
    ag.save(OBJ, p)  # the lock is released now, and the file was written: abandoned
    assert not locked.exists()


@pytest.mark.skipif(S.fcntl is None, reason="needs flock")
def test_concurrent_saves_never_remove_each_others_files(tmp_path):
    """Four threads saving the same path (each save's cleanup sees the others' live temporary
    files): every save succeeds, the file always loads, nothing is left behind."""
    p = tmp_path / "ckpt.st"
    ag.save({"w": np.full(50_000, -1.0), "step": -1}, p)
    errors, stop = [], threading.Event()

    def saver(k):
        try:
            for i in range(15):
                ag.save({"w": np.full(50_000, 100 * k + i, np.float64), "step": 100 * k + i}, p)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader():
        try:
            while not stop.is_set():
                back = ag.load(p)
                if not (back["w"] == back["step"]).all():
                    errors.append(AssertionError(f"torn checkpoint at step {back['step']}"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=saver, args=(k,)) for k in range(4)]
    check = threading.Thread(target=reader)
    check.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    check.join()
    assert errors == []
    assert ag.load(p)["step"] % 100 == 14 and _temps(tmp_path) == []


@pytest.mark.skipif(S.fcntl is None or not hasattr(os, "fork"), reason="needs flock and fork")
def test_kill_9_mid_save_loop(tmp_path):
    """Processes saving an 8 MB checkpoint in a loop, each killed with SIGKILL at a random time:
    the file always loads whole (one of the saved steps, never a mix), each kill leaves at most
    its own temporary file, which the next save removes."""
    p = tmp_path / "ckpt.st"
    n = 1_000_000

    def ckpt(step):
        return {"w": np.full(n, step, np.float64), "step": step}

    ag.save(ckpt(0), p)
    rng = random.Random(0)
    left_behind, start = 0, time.monotonic()
    for i in range(1, 200):
        pid = os.fork()
        if pid == 0:  # the child: save until killed
            try:
                for step in range(1000 * i, 1000 * (i + 1)):
                    ag.save(ckpt(step), p)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.002, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        back = ag.load(p)
        assert (back["w"] == back["step"]).all() and back["w"].shape == (n,)
        temps = _temps(tmp_path)
        assert len(temps) <= 1, temps  # the previous kill's file is gone
        left_behind += len(temps)
        if left_behind >= 5 and (i >= 20 or time.monotonic() - start > 4):
            break
    assert left_behind >= 5  # the loop really killed saves mid-write
    ag.save(ckpt(-1), p)
    assert os.listdir(tmp_path) == ["ckpt.st"] and ag.load(p)["step"] == -1
