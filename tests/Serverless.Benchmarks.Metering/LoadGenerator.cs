using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Serverless.Benchmarks.Metering;

/// <summary>Closed-loop load: a fixed number of clients, each sending its next call as soon as the last is answered.</summary>
public static class LoadGenerator
{
    /// <param name="Cpu">CPU time of this whole process (servers and load generator) during the run.</param>
    public sealed record Result(long Calls, long Failures, TimeSpan Elapsed, TimeSpan Cpu)
    {
        public double PerSecond => Calls / Elapsed.TotalSeconds;

        public double CpuMicrosecondsPerCall => Cpu.TotalMicroseconds / Math.Max(1, Calls);

        public static Result operator +(Result a, Result b) =>
            new(a.Calls + b.Calls, a.Failures + b.Failures, a.Elapsed + b.Elapsed, a.Cpu + b.Cpu);
    }

    public static async Task<Result> RunAsync(BenchmarkServer server, string model, int concurrency, TimeSpan duration)
    {
        var body = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""");
        long calls = 0, failures = 0;
        var cpuStarted = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (server.Key is { } key)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }
                using var response = await server.Client.SendAsync(request);
                await response.Content.LoadIntoBufferAsync();
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref calls : ref failures);
            }
        })));
        return new Result(calls, failures, Stopwatch.GetElapsedTime(started), Process.GetCurrentProcess().TotalProcessorTime - cpuStarted);
    }
}
