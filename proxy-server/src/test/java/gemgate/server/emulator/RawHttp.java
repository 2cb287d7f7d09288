package gemgate.server.emulator;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare socket client, for what the JDK client hides: chunk boundaries, slow reading, hanging up mid-stream. */
final class RawHttp implements AutoCloseable {
    final Socket socket = new Socket();
    private final InputStream in;

    RawHttp(GeminiEmulator emulator, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", emulator.port()), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    void post(String pathAndQuery, String key, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
    }

    /** The status line and headers, up to the blank line. */
    String readHead() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed in the response head");
            }
            out.write(c);
            byte[] b = out.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                return out.toString(StandardCharsets.US_ASCII);
            }
        }
    }

    /** One chunk's data; an empty array for the terminating chunk. */
    byte[] readChunk() throws IOException {
        String size = readLine();
        int len = Integer.parseInt(size.trim(), 16);
        byte[] data = in.readNBytes(len);
        if (data.length < len) {
            throw new EOFException("connection closed inside a chunk");
        }
        if (!readLine().isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
        }
        return data;
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
