using System.Diagnostics;
using System.Globalization;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Repository;
using Serverless.Functions.Hosting;
using Serverless.SampleModels.Onnx;
using Serverless.Testing;

// dotnet run -c Release --project tests/Serverless.Benchmarks.LargeModels [-- --rounds 4 --width 8192 --layers 5]
// An MLP of about 1 GB (4 matrices of 8192 x 8192 FP32 between 5 hidden layers), one external-data file per layer, in Azurite. Each round, on
// fresh data folders: a bare parallel download of the same blobs with the same SDK and transfer options (the
// baseline), the server's own fetch (IModelRepository.FetchAsync inside the app), ONNX Runtime session creation on
// the fetched folder, and a first request on a fresh server. Ratios are within a round, medians over rounds.
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var rounds = int.Parse(Option("--rounds", "4"), CultureInfo.InvariantCulture);
var width = int.Parse(Option("--width", "8192"), CultureInfo.InvariantCulture);
var layers = int.Parse(Option("--layers", "5"), CultureInfo.InvariantCulture);
const int inputWidth = 64, outputWidth = 16;
var models = new ModelsOptions();
var transfer = new StorageTransferOptions
{
    InitialTransferSize = models.DownloadChunkBytes, MaximumTransferSize = models.DownloadChunkBytes, MaximumConcurrency = models.DownloadConcurrency,
};
Console.WriteLine($"Large model benchmark: {Environment.ProcessorCount} cores, {rounds} rounds, {layers} hidden layers of {width}, " +
    $"chunks {models.DownloadChunkBytes >> 20} MiB x {models.DownloadConcurrency}");

var work = Path.Combine(Path.GetTempPath(), "serverless-large-" + Guid.NewGuid().ToString("N"));
var source = Path.Combine(work, "source");
var generated = Stopwatch.GetTimestamp();
var files = MlpModel.CreateWithExternalData(inputWidth, Enumerable.Repeat(width, layers).ToArray(), outputWidth, seed: 5, name => $"weights/{name.Split('.')[0]}.bin");
long totalBytes = files.Model.Length;
Directory.CreateDirectory(Path.Combine(source, "weights"));
File.WriteAllBytes(Path.Combine(source, "model.onnx"), files.Model);
foreach (var (relative, bytes) in files.ExternalFiles)
{
    File.WriteAllBytes(Path.Combine(source, relative), bytes);
    totalBytes += bytes.Length;
}
var relativePaths = files.ExternalFiles.Keys.Prepend("model.onnx").ToList();
files = null;
GC.Collect();
Console.WriteLine($"generated {totalBytes / 1e6:F0} MB in {relativePaths.Count} files in {Stopwatch.GetElapsedTime(generated).TotalSeconds:F1} s");

await using var azurite = new AzuriteServer();
await azurite.StartAsync();
var container = new BlobContainerClient(azurite.ConnectionString, "large");
await container.CreateAsync();
foreach (var relative in relativePaths)
{
    await container.GetBlobClient($"big/1/{relative}").UploadAsync(Path.Combine(source, relative), new BlobUploadOptions { TransferOptions = transfer });
}
Directory.Delete(source, recursive: true);

var request = $$"""{"inputs":[{"name":"{{MlpModel.InputName}}","shape":[1,{{inputWidth}}],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Repeat("0.5", inputWidth))}}]}]}""";
string[] settings = [$"--Models:Repository={azurite.BlobEndpoint}/{container.Name}", $"--Models:ConnectionString={azurite.ConnectionString}", "--Logging:LogLevel:Default=Warning"];
var rows = new List<(double BareMbps, double FetchMbps, double FetchMs, double CreateMs, double FirstMs, double DefaultMbps)>();
for (var round = 0; round < rounds; round++)
{
    // Which of the two downloads goes first alternates, so the page cache and disk write-back favour neither.
    double bareSeconds = 0, fetchSeconds = 0, defaultSeconds = 0;
    ModelFile? fetchedFile = null;
    var fetchData = Path.Combine(work, $"fetch-{round}");
    foreach (var step in round % 2 == 0 ? new[] { "bare", "default", "fetch" } : ["fetch", "default", "bare"])
    {
        // Measured: without it, whichever download came after another ran at half speed, behind the write-back of
        // the gigabyte written before it.
        Sync();
        if (step is "bare" or "default")
        {
            // Baseline: the same blobs, the same SDK and transfer options, straight to files. "default": the SDK's own
            // transfer options, to show what the tuning buys.
            var bare = Path.Combine(work, $"{step}-{round}");
            var b = Stopwatch.GetTimestamp();
            foreach (var relative in relativePaths)
            {
                var path = Path.Combine(bare, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await container.GetBlobClient($"big/1/{relative}").DownloadToAsync(path, new BlobDownloadToOptions { TransferOptions = step == "bare" ? transfer : default });
            }
            if (step == "bare")
            {
                bareSeconds = Stopwatch.GetElapsedTime(b).TotalSeconds;
            }
            else
            {
                defaultSeconds = Stopwatch.GetElapsedTime(b).TotalSeconds;
            }
            Directory.Delete(bare, recursive: true);
            continue;
        }
        // The server's fetch, in the server's process, on an empty data folder.
        await using var app = ServerlessApplication.BuildStandalone(["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={fetchData}", .. settings]);
        await app.StartAsync();
        var repository = app.Services.GetRequiredService<IModelRepository>();
        var f = Stopwatch.GetTimestamp();
        fetchedFile = await repository.FetchAsync(new ModelKey("big", 1));
        fetchSeconds = Stopwatch.GetElapsedTime(f).TotalSeconds;
        await app.StopAsync();
    }

    Sync();
    // Session creation alone, on the fetched folder (external data resolved beside model.onnx).
    var c = Stopwatch.GetTimestamp();
    using (new InferenceSession(fetchedFile!.Path, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL }))
    {
    }
    var createMs = Stopwatch.GetElapsedTime(c).TotalMilliseconds;
    Directory.Delete(fetchData, recursive: true);

    // The first request on a fresh server: listing, fetch, open and the inference itself.
    var firstData = Path.Combine(work, $"first-{round}");
    double firstMs;
    await using (var app = ServerlessApplication.BuildStandalone(["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={firstData}", .. settings]))
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
        var r = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync("/v2/models/big/infer", new StringContent(request, System.Text.Encoding.UTF8, "application/json"));
        firstMs = Stopwatch.GetElapsedTime(r).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"first request: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await app.StopAsync();
    }
    Directory.Delete(firstData, recursive: true);

    var row = (totalBytes / 1e6 / bareSeconds, totalBytes / 1e6 / fetchSeconds, fetchSeconds * 1000, createMs, firstMs, totalBytes / 1e6 / defaultSeconds);
    rows.Add(row);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round + 1}: SDK defaults {row.Item6:F0} MB/s, bare {row.Item1:F0} MB/s, fetch {row.Item2:F0} MB/s ({row.Item2 / row.Item1:F2}x), fetch {row.Item3:F0} ms + create {row.Item4:F0} ms, first request {row.Item5:F0} ms ({row.Item5 / (row.Item3 + row.Item4):F2}x)"));
}
Directory.Delete(work, recursive: true);

static void Sync()
{
    using var sync = Process.Start("sync");
    sync?.WaitForExit();
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"bare download with the SDK's default transfer options: {Median(rows.Select(r => r.DefaultMbps)):F0} MB/s; tuned / default {Median(rows.Select(r => r.BareMbps / r.DefaultMbps)):F2}x"));
Console.WriteLine();
Console.WriteLine($"| model | bare download MB/s | server fetch MB/s | fetch / bare | fetch ms | create ms | first request ms | first / (fetch + create) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {totalBytes / 1e6:F0} MB, {relativePaths.Count} files | {Median(rows.Select(r => r.BareMbps)):F0} | {Median(rows.Select(r => r.FetchMbps)):F0} | {Median(rows.Select(r => r.FetchMbps / r.BareMbps)):F2}x (goal >= 0.9) | " +
    $"{Median(rows.Select(r => r.FetchMs)):F0} | {Median(rows.Select(r => r.CreateMs)):F0} | {Median(rows.Select(r => r.FirstMs)):F0} | {Median(rows.Select(r => r.FirstMs / (r.FetchMs + r.CreateMs))):F2}x (goal <= 1.2) |"));
return 0;
