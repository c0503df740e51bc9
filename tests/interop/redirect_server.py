"""A tiny raw HTTP server that answers WebSocket handshakes with redirects.

usage: redirect_server.py --route PATH=STATUS:LOCATION ...

Listens on an ephemeral port of 127.0.0.1 and prints `listening on ADDR`. For each
request it prints `request PATH authorization=present|absent` (so a test can check
which hops carried credentials), then answers the route for PATH (`STATUS` with
`Location: LOCATION`, the location sent as written, relative or absolute), or 404.
"""

import argparse
import socketserver


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            byte = self.rfile.read(1)
            if not byte or len(head) > 16384:
                return
            head += byte
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "?"
        auth = any(line.lower().startswith("authorization:") for line in lines[1:])
        print(f"request {path} authorization={'present' if auth else 'absent'}", flush=True)
        route = self.server.routes.get(path)
        if route is None:
            body = b"no such route\n"
            self.wfile.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            return
        status, location = route
        body = b"moved\n"
        self.wfile.write(
            b"HTTP/1.1 %d Redirect\r\nLocation: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (status, location.encode(), len(body), body)
        )


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--route", action="append", default=[])
    args = parser.parse_args()
    routes = {}
    for route in args.route:
        path, target = route.split("=", 1)
        status, location = target.split(":", 1)
        routes[path] = (int(status), location)
    with Server(("127.0.0.1", 0), Handler) as server:
        server.routes = routes
        host, port = server.server_address
        print(f"listening on {host}:{port}", flush=True)
        server.serve_forever()


main()
