using System.Globalization;
using System.Text;
using Serverless.Benchmarks;
using Serverless.SampleModels.Onnx;
using Serverless.Testing;

// dotnet run -c Release --project tests/Serverless.Benchmarks [-- --seconds 5]
// One run on one machine; every row is compared with a baseline measured in the same run.
// This program is also the raw ONNX Runtime baseline of the out-of-process rows, started by them as a process of its own.
switch (args.FirstOrDefault())
{
    case "raw":
        return RawOnnxProcess.Run(args[1..]);
    case "raw-layout":
        return RawOnnxProcess.RunLayout(args[1..]);
    case "open":
        return RawOnnxProcess.Open(args[1..]);
    // The text rows' baselines and streaming client (TextBenchmark), each started as a process of its own.
    case "raw-embed":
        return RawEmbeddings.Run(args[1..]);
    case "raw-generate":
        return RawGeneration.Run(args[1..]);
    case "stream-load":
        return await GenerationStreams.RunAsync(args[1..]);
    case "write-decoder":
        // write-decoder DIR: the generation rows' larger decoder as a GenAI folder, for runs by hand.
        TextBenchmark.WriteLargeDecoder(args[1]);
        return 0;
    case "write-heavy":
        // write-heavy DIR [WIDTH]: the generated MLP as DIR/model.onnx, for runs by hand (profiles, config experiments).
        Directory.CreateDirectory(args[1]);
        File.WriteAllBytes(Path.Combine(args[1], "model.onnx"), MlpModel.Create(256, Enumerable.Repeat(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2048, 3).ToArray(), 16, seed: 11));
        return 0;
}
var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5);
var duration = TimeSpan.FromSeconds(seconds);
// --only hot-path|metering-calls|batching|cold-start: one section (the raw ORT baseline rows always run).
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
bool Runs(string section) => only is null || only == section;
string Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? "";
var root = FindRoot();
var samples = Path.Combine(root, "models");
var irisPath = Path.Combine(samples, "iris-mlp", "1", "model.onnx");
var report = new BenchmarkReport();
Console.WriteLine($"Benchmark: {Environment.ProcessorCount} cores, {seconds} s per phase, ONNX Runtime CPU");

// --only outside: the table with the app, the load and the baselines each in a process of their own.
// --app DIR / --loadgen DIR reuse published folders (to compare builds); otherwise both are published Release here,
// as `dotnet publish -c Release` would (the app's project file carries its publish settings).
if (Runs("outside"))
{
    var published = Path.Combine(Path.GetTempPath(), "serverless-bench-published-" + Guid.NewGuid().ToString("N"));
    var appDir = Option("--app") is { Length: > 0 } a ? a : await OutsideBenchmark.PublishAsync(Path.Combine(root, "functions", "Serverless.Functions"), Path.Combine(published, "app"));
    var loadDir = Option("--loadgen") is { Length: > 0 } l ? l : await OutsideBenchmark.PublishAsync(Path.Combine(root, "tests", "Serverless.LoadGenerator"), Path.Combine(published, "loadgen"));
    var rounds = Option("--rounds") is { Length: > 0 } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
    // --parts batching,metering,cold-start,first-request: some of the rows only.
    var parts = Option("--parts") is { Length: > 0 } p ? p.Split(',').ToHashSet() : null;
    report.Section("out of process: published app, load generator and raw ONNX Runtime each in its own process");
    await new OutsideBenchmark(report, root, Path.Combine(appDir, "Serverless.Functions.dll"), Path.Combine(loadDir, "Serverless.LoadGenerator.dll"), duration, rounds).RunAsync(parts);
    // --parts embeddings,generation: the text models' rows (issues #22, #23).
    await new TextBenchmark(report, root, Path.Combine(appDir, "Serverless.Functions.dll"), Path.Combine(loadDir, "Serverless.LoadGenerator.dll"), duration, rounds).RunAsync(parts);
    if (only == "outside")
    {
        report.Print();
        return 0;
    }
    report.Section("in process: the load client runs in the server's process and shares its thread pool, GC and cores");
}

// Baseline: raw ONNX Runtime on the MLP sample.
var raw1 = RawOnnxBenchmark.Run(irisPath, "features", 4, 1, duration);
var raw64 = RawOnnxBenchmark.Run(irisPath, "features", 4, 64, duration);
report.Add(raw1, "raw ORT Run, iris-mlp, batch 1 (runs)", raw1.PerSecond, "raw batch 1");
report.Add("raw ORT Run, iris-mlp, batch 64 (rows)", raw64.PerSecond * 64, raw64.Percentile(50), raw64.Percentile(99), raw64.PerSecond * 64 / raw1.PerSecond, "of raw batch-1 rows/s");

// The same model through the HTTP API, single-row requests.
var oneRow = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}""");
await ProcessWarmup.RunAsync(samples, oneRow);
if (Runs("hot-path"))
{
    LatencyRecorder floor;
    await using (var floorServer = await HttpFloor.StartAsync())
    {
        floor = await HttpLoad.RunAsync(floorServer.Address, HttpFloor.Path, oneRow, 32, duration);
        report.Add(floor, "HTTP floor, 32 clients (parse JSON body, constant answer)", floor.PerSecond, "HTTP floor");
    }
    await using (var server = await BenchmarkServer.StartAsync($"--Models:Repository={samples}"))
    {
        var http1 = await HttpLoad.RunAsync(server.Address, "/v2/models/iris-mlp/infer", oneRow, 1, duration);
        report.Add(http1, "HTTP infer, 1 client, 1 row", raw1.PerSecond, "raw batch 1");
        var http32 = await HttpLoad.RunAsync(server.Address, "/v2/models/iris-mlp/infer", oneRow, 32, duration);
        report.Add(http32, "HTTP infer, 32 clients, 1 row", raw1.PerSecond, "raw batch 1");
        report.Add(http32, "  iris-mlp 32 clients vs HTTP floor", floor.PerSecond, "HTTP floor (target >= 0.5)");
        // Allocations are counted for the whole process: the load client's share is in the floor row too.
        AddAllocations(report, "iris-mlp 32 clients", http32, floor);
    }
    // The same without metering, whose durable usage record (each 2xx waits for its group commit, fsync included)
    // sets the pace above: what is left is the protocol and inference path itself.
    await using (var server = await BenchmarkServer.StartAsync($"--Models:Repository={samples}", "--Metering:Enabled=false"))
    {
        var http32 = await HttpLoad.RunAsync(server.Address, "/v2/models/iris-mlp/infer", oneRow, 32, duration);
        report.Add(http32, "HTTP infer, 32 clients, 1 row, metering off", floor.PerSecond, "HTTP floor (target >= 0.5)");
        AddAllocations(report, "iris-mlp 32 clients, metering off", http32, floor);
        report.Add("  allocated bytes/request, HTTP floor 32 clients", floor.AllocatedBytesPerRequest, double.NaN, double.NaN, 1, "client + bare server");
    }

    // Binary tensor data: a 1 MB FP32 row round trip, binary in and out against JSON in and out.
    using (var large = new LargeTensorRepository())
    await using (var server = await BenchmarkServer.StartAsync($"--Models:Repository={large.Root}"))
    {
        var path = $"/v2/models/{LargeTensorRepository.Model}/infer";
        var json = await HttpLoad.RunAsync(server.Address, path, LargeTensorRepository.JsonRequest(), 4, duration);
        report.Add(json, "1 MB FP32 round trip as JSON, 4 clients", json.PerSecond, "JSON");
        var binaryBody = LargeTensorRepository.BinaryRequest(out var headerLength);
        var binary = await HttpLoad.RunAsync(server.Address, path, binaryBody, 4, duration, headerLength);
        report.Add(binary, "1 MB FP32 round trip as binary, 4 clients", json.PerSecond, "JSON (target >= 5)");
        report.Add("  allocated bytes/request, 1 MB JSON / binary", json.AllocatedBytesPerRequest, double.NaN, double.NaN,
            binary.AllocatedBytesPerRequest, "binary bytes/request (not a ratio)");
    }
}

// --only metering-calls: what metering costs a call without HTTP (--rounds, default 10).
if (Runs("metering-calls"))
{
    await MeteringCallsBenchmark.RunAsync(report, samples, Option("--rounds") is { Length: > 0 } r ? int.Parse(r, CultureInfo.InvariantCulture) : 10);
}

// Dynamic batching on generated MLPs (256 -> 3 hidden layers -> 16): the 1024-wide one the issue names, where the
// per-request HTTP and JSON work is about as large as a row's compute, and a 4096-wide one where compute dominates.
if (Runs("batching"))
{
    await BatchingBenchmark.RunAsync(report, "MLP 3x1024", 1024, duration);
    await BatchingBenchmark.RunAsync(report, "MLP 3x4096", 4096, duration);
}

// Cold start from a blob repository (Azurite): the sample MLP and a 30 MB generated MLP.
if (Runs("cold-start"))
{
    await using (var azurite = new AzuriteServer())
    {
        await azurite.StartAsync();
        var small = await ColdStartBenchmark.RunAsync(azurite, "iris-mlp", File.ReadAllBytes(irisPath), oneRow, rounds: 5);
        AddColdStart(report, "iris-mlp", small);
        var heavy = MlpModel.Create(inputWidth: 256, hiddenWidths: [2048, 2048, 1024], outputWidth: 16, seed: 7);
        var heavyRow = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"features\",\"shape\":[1,256],\"datatype\":\"FP32\",\"data\":[" + string.Join(",", Enumerable.Repeat("0.5", 256)) + "]}]}");
        var large = await ColdStartBenchmark.RunAsync(azurite, "heavy-mlp", heavy, heavyRow, rounds: 11);
        AddColdStart(report, $"heavy-mlp {heavy.Length / 1_000_000.0:F1} MB", large);
    }
}

report.Print();
return 0;

static void AddColdStart(BenchmarkReport report, string name, ColdStartBenchmark.Result r)
{
    report.Add($"cold first request, {name}, Azurite", 1000 / r.ColdMs, r.ColdMs, double.NaN, r.ColdMs / r.WarmMs, "x a warm request");
    report.Add($"  download + session create, {name}", 1000 / (r.DownloadMs + r.SessionMs), r.DownloadMs + r.SessionMs, double.NaN,
        r.ColdMs / (r.DownloadMs + r.SessionMs), "cold / (download + session), medians (target <= 1.3)");
    report.Add($"  same, paired by round", double.NaN, double.NaN, double.NaN,
        r.PairedRatio, "median of each round's cold / (download + session)");
    report.Add($"  session create from optimized graph, {name}", 1000 / r.OptimizedSessionMs, r.OptimizedSessionMs, double.NaN,
        r.OptimizedSessionMs / r.SessionMs, "x session create from model.onnx");
    report.Add($"  cold first request after restart, {name}", 1000 / r.RestartColdMs, r.RestartColdMs, double.NaN,
        r.RestartColdMs / r.ColdMs, "x cold first request");
}

static void AddAllocations(BenchmarkReport report, string name, LatencyRecorder measured, LatencyRecorder floor) =>
    report.Add($"  allocated bytes/request, {name}", measured.AllocatedBytesPerRequest, double.NaN, double.NaN,
        measured.AllocatedBytesPerRequest / floor.AllocatedBytesPerRequest, "x floor's bytes/request (both include the client)");

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Serverless.sln not found");
}
