using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// HTTP/1.1 over a plain socket, for what HttpClient hides: sending a whole body before reading anything (as Python's
/// urllib does), waiting for an interim <c>100 Continue</c>, or holding a body half sent.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttpConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri address)
    {
        var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        return new RawHttpConnection(client);
    }

    public Task SendHeadAsync(string path, long? contentLength, params string[] headers)
    {
        var head = new StringBuilder($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
        head.Append(contentLength is { } length ? $"Content-Length: {length}\r\n" : "Transfer-Encoding: chunked\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }
        return SendAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Writes <paramref name="total"/> bytes of <paramref name="fill"/> in 64 KiB writes; returns how many went out before the socket failed.</summary>
    public async Task<long> SendFillAsync(long total, byte fill = (byte)' ')
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, fill);
        long sent = 0;
        try
        {
            while (sent < total)
            {
                var count = (int)Math.Min(chunk.Length, total - sent);
                await _stream.WriteAsync(chunk.AsMemory(0, count));
                sent += count;
            }
        }
        catch (IOException)
        {
        }
        return sent;
    }

    /// <summary>Reads one response (an interim 1xx too): status, headers, and a Content-Length or chunked body.</summary>
    public async Task<RawHttpResponse> ReadResponseAsync()
    {
        var head = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n\r\n"u8.ToArray()));
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (status < 200)
        {
            return new RawHttpResponse(status, headers, []);
        }
        if (headers.TryGetValue("Content-Length", out var length))
        {
            return new RawHttpResponse(status, headers, await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture)));
        }
        var body = new List<byte>();
        while (true)
        {
            var size = int.Parse(Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray())).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            body.AddRange(await ReadExactlyAsync(size));
            await ReadExactlyAsync(2);
            if (size == 0)
            {
                return new RawHttpResponse(status, headers, [.. body]);
            }
        }
    }

    private async Task<byte[]> ReadUntilAsync(byte[] terminator)
    {
        while (true)
        {
            var at = IndexOf(_pending, terminator);
            if (at >= 0)
            {
                var taken = _pending.Take(at).ToArray();
                _pending.RemoveRange(0, at + terminator.Length);
                return taken;
            }
            await FillAsync();
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_pending.Count < count)
        {
            await FillAsync();
        }
        var taken = _pending.Take(count).ToArray();
        _pending.RemoveRange(0, count);
        return taken;
    }

    private async Task FillAsync()
    {
        var buffer = new byte[16 * 1024];
        var read = await _stream.ReadAsync(buffer);
        if (read == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }
        _pending.AddRange(buffer.AsSpan(0, read));
    }

    private static int IndexOf(List<byte> bytes, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = bytes[i + j] == pattern[j];
            }
            if (match)
            {
                return i;
            }
        }
        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
