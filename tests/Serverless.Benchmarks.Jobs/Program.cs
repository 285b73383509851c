using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Benchmarks.Jobs;
using Serverless.Functions.Hosting;
using Serverless.SampleModels.Onnx;

// Batch scoring throughput: a generated JSONL job scored by the app in embedded mode (local files, in-process queue,
// SQLite) against raw ONNX Runtime Run at the same batch size, in the same process. Two models: the iris-mlp sample
// (about 100 multiply-adds a row, so any text codec dominates) and a compute-bound MLP (4 -> 512 -> 512 -> 3).
// Usage: dotnet run -c Release --project tests/Serverless.Benchmarks.Jobs -- [rows=200000]
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var repositoryRoot = FindRepositoryRoot();
var work = Path.Combine(Path.GetTempPath(), "serverless-bench-jobs-" + Guid.NewGuid().ToString("N"));
var models = Path.Combine(work, "models");
Directory.CreateDirectory(Path.Combine(work, "data", "jobs"));

// Copies without a max_batch_size cap, so batch sizes above the sample's 64 can be compared too; one intra-op thread
// as on a busy instance scoring several shards at once.
const string Config = """{ "max_batch_size": 0, "warmup": true, "intra_op_threads": 1 }""";
CopyDirectory(Path.Combine(repositoryRoot, "models", "iris-mlp"), Path.Combine(models, "iris-mlp"));
File.WriteAllText(Path.Combine(models, "iris-mlp", "config.json"), Config);
Directory.CreateDirectory(Path.Combine(models, "compute-mlp", "1"));
File.WriteAllBytes(Path.Combine(models, "compute-mlp", "1", "model.onnx"), MlpModel.Create(4, [512, 512], 3, seed: 7));
File.WriteAllText(Path.Combine(models, "compute-mlp", "config.json"), Config);

var features = new float[rows * 4];
var jsonl = new StringBuilder();
for (var r = 0; r < rows; r++)
{
    float[] row = [4.3f + r % 37 * 0.1f, 2.0f + r % 23 * 0.1f, 1.0f + r % 59 * 0.1f, 0.1f + r % 25 * 0.1f];
    row.CopyTo(features, r * 4);
    jsonl.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"r{r}\",\"features\":[{row[0]},{row[1]},{row[2]},{row[3]}]}}\n");
}
File.WriteAllText(Path.Combine(work, "data", "jobs", "input.jsonl"), jsonl.ToString());
Console.WriteLine($"{rows} rows, {new FileInfo(Path.Combine(work, "data", "jobs", "input.jsonl")).Length / 1e6:F1} MB of JSONL, {Environment.ProcessorCount} cores");

// The first pass is a warm-up, not reported, of five jobs per model: on a fresh process iris-mlp single-shard jobs
// ran at a quarter of their later speed for the first several seconds of work (precompiled framework code waiting
// for tier-1; DOTNET_ReadyToRun=0 or DOTNET_TC_CallCountingDelayMs=0 remove the gap), and one or three warm-up jobs
// were not enough.
foreach (var (label, shardBytes) in new[] { ("warm-up", 1L << 30), ("one shard", 1L << 30), ("4 MB shards, Jobs:BatchSize 4 at once", 4L << 20) })
{
    var report = label != "warm-up";
    var app = ServerlessApplication.BuildStandalone([
        "--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={Path.Combine(work, "data")}", $"--Models:Repository={models}",
        "--Logging:LogLevel:Default=Warning", "--Metering:Enabled=false", $"--Jobs:ShardBytes={shardBytes}",
    ]);
    await app.StartAsync();
    using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    if (report)
    {
        Console.WriteLine($"-- {label}");
    }
    foreach (var model in new[] { "iris-mlp", "compute-mlp" })
    {
        for (var i = 0; i < (report ? 1 : 5); i++)
        {
            await JobRun.RowsPerSecondAsync(client, model, "input.jsonl", rows, 64);
        }
        foreach (var batchSize in report ? new[] { 64, 256 } : [])
        {
            var raw = RawOnnxRuntime.RowsPerSecond(Path.Combine(models, model, "1", "model.onnx"), features, rows, batchSize);
            var (scoring, endToEnd) = await JobRun.RowsPerSecondAsync(client, model, "input.jsonl", rows, batchSize);
            Console.WriteLine($"{model,-12} batch {batchSize,4}: raw ONNX Runtime Run {raw,12:N0} rows/s | job {scoring,10:N0} rows/s (end to end {endToEnd,10:N0}) | ratio {scoring / raw:F2}");
        }
    }
    await app.StopAsync();
    await app.DisposeAsync();
}
Directory.Delete(work, recursive: true);

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
}

static void CopyDirectory(string from, string to)
{
    foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
    {
        var target = Path.Combine(to, Path.GetRelativePath(from, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }
}
