using System.Diagnostics;
using System.Net;

namespace Serverless.Benchmarks;

/// <summary>Closed-loop load: each client sends the next request as soon as the previous one answers.</summary>
public static class HttpLoad
{
    public static async Task<LatencyRecorder> RunAsync(Uri address, string path, byte[] body, int clients, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = address };
        await SendAsync(client, path, body); // first call may load the model; not measured
        var recorder = new LatencyRecorder();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var t = Stopwatch.GetTimestamp();
                await SendAsync(client, path, body);
                recorder.Record(t);
            }
        }));
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        return recorder;
    }

    public static async Task SendAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(path, content);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await response.Content.CopyToAsync(Stream.Null);
    }
}
