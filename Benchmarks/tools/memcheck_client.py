# Drives a server (port argv[1]) so that passes split: many connections ready at once, pipelined,
# keep-alive and Connection: close and HTTP/1.0; checks every reply arrived.
import socket, sys, time
port = int(sys.argv[1])
def burst(n, payload, expect):
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for s in socks: s.sendall(payload)
    got = 0
    for s in socks:
        s.settimeout(60)
        data = b""
        while data.count(b"HTTP/1.") < expect:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        got += data.count(b"HTTP/1.")
        s.close()
    return got
total = 0
ka = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
close = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
h10 = b"GET / HTTP/1.0\r\n\r\n"
for _ in range(3):
    total += burst(64, ka, 3) + burst(40, close, 2) + burst(40, h10, 1)
print("replies", total, "expected", 3 * (64*3 + 40*2 + 40))
