using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.ML.OnnxRuntime;
using Serverless.Testing;

namespace Serverless.Benchmarks;

/// <summary>
/// First request for a model not yet loaded, served from an Azurite blob repository, against a warm request and
/// against its parts measured without the server: the blob download and the ONNX Runtime session creation.
/// </summary>
public static class ColdStartBenchmark
{
    /// <param name="PairedRatio">
    /// Median over rounds of that round's cold request / (its download + session create): each round's parts are timed
    /// within seconds of its cold request, so drift in the machine's speed between rounds cancels out of each ratio.
    /// </param>
    public sealed record Result(double ColdMs, double WarmMs, double DownloadMs, double SessionMs, double OptimizedSessionMs, double RestartColdMs, long ModelBytes,
        double PairedRatio);

    public static async Task<Result> RunAsync(AzuriteServer azurite, string name, byte[] model, byte[] request, int rounds)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "bench-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        await container.UploadBlobAsync($"{name}/1/model.onnx", BinaryData.FromBytes(model));
        var path = $"/v2/models/{name}/infer";
        var cold = new List<double>();
        var warm = new List<double>();
        var download = new List<double>();
        var session = new List<double>();
        var optimizedSession = new List<double>();
        var restartCold = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var data = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N"));
            string[] settings = [$"--Models:Repository={azurite.BlobEndpoint}/{container.Name}", $"--Models:ConnectionString={azurite.ConnectionString}"];
            await using (var server = await BenchmarkServer.StartAsync(data, settings))
            {
                using var client = new HttpClient { BaseAddress = server.Address };
                cold.Add(await FirstRequestMsAsync(client, path, request));
                for (var i = 0; i < 20; i++)
                {
                    var t = Stopwatch.GetTimestamp();
                    await HttpLoad.SendAsync(client, path, request);
                    warm.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                // The optimized graph is saved in the background after the first request: the restart below needs it,
                // and the baseline measured after this must not share the cores with it.
                await WaitForOptimizedGraphAsync(data, name);
            }
            // A restart on the same data folder: the model file and its optimized graph are both cached.
            await using (var restarted = await BenchmarkServer.StartAsync(data, settings))
            {
                using var client = new HttpClient { BaseAddress = restarted.Address };
                restartCold.Add(await FirstRequestMsAsync(client, path, request));
            }
            Directory.Delete(data, recursive: true);

            var file = Path.GetTempFileName();
            var d = Stopwatch.GetTimestamp();
            await container.GetBlobClient($"{name}/1/model.onnx").DownloadToAsync(file);
            download.Add(Stopwatch.GetElapsedTime(d).TotalMilliseconds);
            var s = Stopwatch.GetTimestamp();
            using (new InferenceSession(file, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL }))
            {
                session.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
            }
            var optimized = file + ".optimized.onnx";
            using (new InferenceSession(file, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized }))
            {
            }
            var o = Stopwatch.GetTimestamp();
            using (new InferenceSession(optimized, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL }))
            {
                optimizedSession.Add(Stopwatch.GetElapsedTime(o).TotalMilliseconds);
            }
            File.Delete(file);
            File.Delete(optimized);
        }
        await container.DeleteAsync();
        var paired = cold.Select((c, i) => c / (download[i] + session[i])).ToList();
        return new Result(Median(cold), Median(warm), Median(download), Median(session), Median(optimizedSession), Median(restartCold), model.Length, Median(paired));
    }

    private static async Task<double> FirstRequestMsAsync(HttpClient client, string path, byte[] request)
    {
        await client.GetAsync("/v2/health/live"); // open the connection outside the measurement
        var t = Stopwatch.GetTimestamp();
        await HttpLoad.SendAsync(client, path, request);
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }

    private static async Task WaitForOptimizedGraphAsync(string data, string name)
    {
        var folder = Path.Combine(data, "optimized-models", name, "1");
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(10))
        {
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.onnx").Length > 0)
            {
                return;
            }
        }
        throw new TimeoutException($"the optimized graph of {name} was not saved under {folder}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
