import Foundation

/// A minimal blocking HTTP/1.1 client for tests against a server on 127.0.0.1: one request per
/// connection, with a timeout, as a telephony server posting CDRs would send it.
public enum LoopbackHTTP {
    /// A response's status and body.
    public struct Response: Sendable {
        /// The status code.
        public let status: Int
        /// The body as text.
        public let body: String
    }

    /// The request could not be sent or its answer not read (refused, reset, timed out).
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Sends one request and reads the whole answer.
    public static func request(
        port: Int, method: String = "POST", path: String, headers: [String: String] = [:], body: [UInt8] = [],
        timeoutSeconds: Int = 10
    ) throws -> Response {
        let socket = try connect(port: port, timeoutSeconds: timeoutSeconds)
        defer { close(socket) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n\r\n"
        try sendAll(socket, Array(head.utf8) + body)
        return try readAnswer(socket)
    }

    /// Opens a connection to 127.0.0.1:`port` whose sends and receives time out after `timeoutSeconds`.
    public static func connect(port: Int, timeoutSeconds: Int = 10) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect: \(String(cString: strerror(errno)))")
        }
        return socket
    }

    /// Reads an answer until the server closes the connection.
    public static func readAnswer(_ socket: Int32) throws -> Response {
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            answer += chunk[0..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure(description: "no HTTP status line in an answer of \(answer.count) bytes")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }

    /// Reads one answer of a connection kept open, by its `Content-Length`.
    public static func readKeptAliveAnswer(_ socket: Int32) throws -> Response {
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while !answer.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            guard recv(socket, &byte, 1, 0) == 1 else { throw Failure(description: "the connection closed") }
            answer.append(byte)
        }
        let head = String(decoding: answer, as: UTF8.self)
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        var body = [UInt8](repeating: 0, count: length)
        var read = 0
        while read < length {
            let count = body[read...].withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "the connection closed within a body") }
            read += count
        }
        let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, body: String(decoding: body, as: UTF8.self))
    }

    /// The `Authorization` header value of HTTP basic authentication.
    public static func basic(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Sends all of `bytes`.
    public static func sendAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }
}
