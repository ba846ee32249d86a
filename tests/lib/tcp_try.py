#!/usr/bin/env python3
"""tcp_try.py HOST PORT TIMEOUT: exactly one TCP connection attempt.

One socket, one connect() bounded by TIMEOUT seconds (the kernel's SYN
retransmissions stay in that attempt: same source port, so tshoot counts one
attempt), then close. Prints how it ended, one word:
  established  the handshake completed
  refused      a TCP reset answered the SYN
  unreachable  an ICMP error answered it (host/network unreachable, prohibited)
  timeout      no answer within TIMEOUT
Exit 0 when established, 1 otherwise, 2 on a usage error. Unlike a real
client (smbclient, curl) it never opens a second connection on its own, so a
test can assert exact attempt counts.
"""
import errno
import socket
import sys

UNREACHABLE = (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM)


def outcome(host, port, timeout):
    """Connects once to HOST:PORT; returns the word for how it ended."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        return "established"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        if e.errno in UNREACHABLE:
            return "unreachable"
        return "error: " + (e.strerror or str(e))
    finally:
        s.close()


def main(argv):
    """Parses HOST PORT TIMEOUT, tries once, prints the outcome."""
    if len(argv) != 4:
        print("usage: tcp_try.py HOST PORT TIMEOUT", file=sys.stderr)
        return 2
    try:
        port, timeout = int(argv[2]), float(argv[3])
    except ValueError:
        print("tcp_try.py: PORT must be a number and TIMEOUT seconds", file=sys.stderr)
        return 2
    word = outcome(argv[1], port, timeout)
    print(word)
    return 0 if word == "established" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
