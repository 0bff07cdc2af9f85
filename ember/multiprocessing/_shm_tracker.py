"""Reference counts of the named shared-memory files of the "file_system" sharing strategy.

See Note [Shared memory lifetime] in ember/_storage.py for the design. This file is both
sides of it: the client functions that ember calls (create, send, adopt, drop, release) and
the tracker process itself, which runs this file as a script (by path, so that it imports
nothing but the standard library and starts in a few milliseconds).

Protocol: one ASCII line per message over a Unix stream socket, ``<command> <name>``:
``hold`` (this process holds one more reference), ``release`` (one fewer), ``send`` (a
message carrying the name is about to leave; the only command answered, with ``ok``, so that
the reference exists before the message does), ``adopt`` (this process received the name and
takes over the message's reference) and ``drop`` (a received message's reference is not
needed). A client's connection closing, however the process ended, releases what it held.
"""

from __future__ import annotations

import collections
import itertools
import os
import secrets
import selectors
import signal
import socket
import sys
import threading

SHM_DIRECTORY = "/dev/shm"
NAME_PREFIX = "ember_"
# Seconds the tracker waits, once no client is left, for a process to open a name still
# travelling in a message (a sender may exit before its receiver reads the message).
GRACE_SECONDS = 2.0
_IGNORED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def path_of(name: str) -> str:
    return os.path.join(SHM_DIRECTORY, name)


# --- client side: what every ember process runs -----------------------------------------

# Connections by tracker address (raw socket descriptors: no socket object to warn when it is
# collected at exit), and the references this process holds, by (address, name). Storage
# finalizers call in here from any thread, also while this thread is inside a call: hence a
# reentrant lock, and messages written whole.
_lock = threading.RLock()
_connections: dict[str, int] = {}
_holds: collections.Counter = collections.Counter()
_home_address: str | None = None
_name_counter = itertools.count()
_name_token = secrets.token_hex(4)


def create(nbytes: int) -> tuple[str, str, int]:
    """A new zero-filled file of ``nbytes`` in /dev/shm, held by this process: its tracker's
    address, its name and an open descriptor (the caller closes it)."""
    with _lock:
        address = _home_tracker()
        name = f"{NAME_PREFIX}{os.getpid()}_{_name_token}_{next(_name_counter)}"
        # Held before it exists, so that no file can outlive a process killed in between.
        _write(address, f"hold {name}\n")
        _holds[address, name] += 1
    try:
        fd = os.open(path_of(name), os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(fd, nbytes)
        except OSError:
            os.close(fd)
            raise
    except OSError:
        release(address, name)
        raise
    return address, name, fd


def send(address: str, name: str):
    """Count a reference for a message carrying ``name``, before the message leaves."""
    with _lock:
        connection = _connection(address)
        _write(address, f"send {name}\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = os.read(connection, 16)
            if not chunk:
                raise RuntimeError(f"the shared memory tracker {address!r} has exited")
            reply += chunk


def open_received(name: str) -> int:
    """A descriptor of the file a received message names (its reference keeps it)."""
    try:
        return os.open(path_of(name), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        raise RuntimeError(f"the shared memory file {name!r} no longer exists: every process "
                           "that held it has exited") from None


def adopt(address: str, name: str):
    """Take over the reference of a received message: this process now holds ``name``."""
    with _lock:
        _write(address, f"adopt {name}\n")
        _holds[address, name] += 1


def drop(address: str, name: str):
    """Give up the reference of a received message (this process holds the file already)."""
    with _lock:
        _write(address, f"drop {name}\n")


def release(address: str, name: str):
    """Let go of one reference this process holds (a storage's finalizer)."""
    with _lock:
        if not _holds[address, name]:
            return  # inherited through fork, but never taken over (see _after_fork_in_child)
        _holds[address, name] -= 1
        if not _holds[address, name]:
            del _holds[address, name]
        try:
            _write(address, f"release {name}\n")
        except OSError:
            pass  # the tracker is gone, and with it the file


def _write(address: str, message: str):
    fd = _connection(address)
    unsent = memoryview(message.encode("ascii"))
    while unsent:
        unsent = unsent[os.write(fd, unsent):]


def _connection(address: str) -> int:
    fd = _connections.get(address)
    if fd is None:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect("\0" + address)
        except OSError:
            client.close()
            raise
        fd = _connections[address] = client.detach()
    return fd


def _home_tracker() -> str:
    """The address of the tracker of the files this process creates, started if needed (a
    forked child keeps its parent's while it runs)."""
    global _home_address
    if _home_address is not None:
        try:
            _connection(_home_address)
            return _home_address
        except OSError:
            pass  # every process that used it has exited, and so has it
    address = f"ember_shm_tracker_{os.getpid()}_{secrets.token_hex(8)}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind("\0" + address)
        listener.listen()
        # Connected before the tracker runs: it finds this process in its backlog, so it
        # cannot see a moment without clients and exit.
        _connection(address)
        listener.set_inheritable(True)
        null = os.devnull
        os.posix_spawn(
            sys.executable, [sys.executable, "-I", __file__, str(listener.fileno())],
            os.environ,
            file_actions=[(os.POSIX_SPAWN_OPEN, 0, null, os.O_RDONLY, 0),
                          (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0),
                          (os.POSIX_SPAWN_OPEN, 2, null, os.O_WRONLY, 0)],
            setsigmask=_IGNORED_SIGNALS)  # blocked until the tracker ignores them
    finally:
        listener.close()
    _home_address = address
    return address


def _after_fork_in_child():
    """A forked child shares its parent's connections: it opens its own, and takes its own
    references to the files it inherited mappings of (its storages release them)."""
    global _lock
    _lock = threading.RLock()
    for fd in _connections.values():
        os.close(fd)
    _connections.clear()
    inherited = dict(_holds)
    _holds.clear()
    for (address, name), count in inherited.items():
        try:
            _write(address, f"hold {name}\n" * count)
        except OSError:
            continue  # its tracker is gone: the file was unlinked, the mapping stays
        _holds[address, name] = count


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- the tracker process ------------------------------------------------------------------


class _Client:
    __slots__ = ("holds", "pending")

    def __init__(self):
        self.holds = collections.Counter()
        self.pending = b""


def _valid_name(name: str) -> bool:
    # The tracker unlinks only what ember creates, whatever a client asks.
    return name.startswith(NAME_PREFIX) and "/" not in name


def _unlink(name: str):
    try:
        os.unlink(path_of(name))
    except FileNotFoundError:
        pass


class _Tracker:
    """Counts, for each name, the references held by connected processes plus those of
    messages in flight; unlinks a name when its count reaches zero, and every remaining name
    once no process is connected and none connects within GRACE_SECONDS."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ)
        self.references = collections.Counter()
        self.clients: dict[socket.socket, _Client] = {}

    def serve(self):
        try:
            self._loop()
        finally:
            for name in self.references:
                _unlink(name)

    def _loop(self):
        started = False
        while True:
            timeout = None
            if started and not self.clients:
                if not self.references:
                    return
                timeout = GRACE_SECONDS
            events = self.selector.select(timeout)
            if not events:
                return
            for key, _ in events:
                if key.fileobj is self.listener:
                    connection, _ = self.listener.accept()
                    self.selector.register(connection, selectors.EVENT_READ)
                    self.clients[connection] = _Client()
                    started = True
                else:
                    self._read(key.fileobj)

    def _read(self, connection: socket.socket):
        client = self.clients[connection]
        try:
            data = connection.recv(1 << 16)
        except OSError:
            data = b""
        if not data:  # the process ended, one way or another
            self.selector.unregister(connection)
            connection.close()
            del self.clients[connection]
            for name, count in client.holds.items():
                self._decrease(name, count)
            return
        *lines, client.pending = (client.pending + data).split(b"\n")
        for line in lines:
            command, _, name = line.decode("ascii", "replace").partition(" ")
            if _valid_name(name):
                self._handle(connection, client, command, name)

    def _handle(self, connection, client: _Client, command: str, name: str):
        if command == "hold":
            client.holds[name] += 1
            self.references[name] += 1
        elif command == "send":
            self.references[name] += 1
            try:
                connection.sendall(b"ok\n")
            except OSError:
                pass  # the sender is gone: its connection reads as ended next
        elif command == "adopt":
            client.holds[name] += 1
        elif command == "drop":
            self._decrease(name, 1)
        elif command == "release" and client.holds[name]:
            client.holds[name] -= 1
            if not client.holds[name]:
                del client.holds[name]
            self._decrease(name, 1)

    def _decrease(self, name: str, count: int):
        self.references[name] -= count
        if self.references[name] <= 0:
            del self.references[name]
            _unlink(name)


def _main(listener_fd: int):
    # What stops a program (Ctrl-C, "kill", a closed terminal) must not stop its cleanup.
    for signal_number in _IGNORED_SIGNALS:
        signal.signal(signal_number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _IGNORED_SIGNALS)
    # Descriptors leaked to us (not close-on-exec in the spawner) must not keep pipes open.
    os.closerange(3, listener_fd)
    os.closerange(listener_fd + 1, os.sysconf("SC_OPEN_MAX"))
    _Tracker(socket.socket(fileno=listener_fd)).serve()


if __name__ == "__main__":
    _main(int(sys.argv[1]))
