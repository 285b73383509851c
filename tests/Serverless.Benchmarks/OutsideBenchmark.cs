using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.Core.Batching;
using static Serverless.Benchmarks.RoundStatistics;

namespace Serverless.Benchmarks;

/// <summary>
/// The issue's table, measured from outside: the app published Release and started as its own process, load from
/// the load generator's process, the raw ONNX Runtime baselines in a process of their own (this program, <c>raw</c> /
/// <c>open</c>), and the bare ASP.NET Core app (the load generator's <c>floor</c>) published the same way. On 2 cores
/// the load generator still shares the CPU with the server; it no longer shares its thread pool, GC or JIT.
/// </summary>
public sealed class OutsideBenchmark(BenchmarkReport report, string root, string appDll, string loadDll, TimeSpan duration, int rounds)
{
    private static readonly string Self = typeof(OutsideBenchmark).Assembly.Location;
    private const int MaxExtraWarmupRounds = 4;

    /// <summary>Publishes the app and the load generator Release into <paramref name="output"/> (unless given already built).</summary>
    public static async Task<string> PublishAsync(string project, string output)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "q" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var log = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed: {log}");
        }
        return output;
    }

    /// <param name="parts">Any of batching, metering, cold-start, first-request; null runs all.</param>
    public async Task RunAsync(IReadOnlySet<string>? parts)
    {
        bool Runs(string part) => parts is null || parts.Contains(part);
        if (Runs("batching"))
        {
            await HeavyBatchingAsync();
        }
        if (Runs("metering"))
        {
            await IrisMeteringAsync();
        }
        if (Runs("cold-start"))
        {
            await ColdStartAsync();
        }
        if (Runs("first-request"))
        {
            await HeavyFirstRequestAsync();
        }
    }

    /// <summary>
    /// 256 -> 2048x3 -> 16 (~35 MB), 32 clients of one row, the minimal opt-in against raw Run on batches of 32, and
    /// against the floor (raw Run in the server's layout plus the bare app's CPU per request for the same body). The
    /// servers (metering on, off) and the bare app run side by side; every round measures raw, each server's rows and
    /// the floor, the order turned round every other round. Rows are the median of the rounds with their spread; each
    /// ratio's spread is of the rounds' paired ratios.
    /// </summary>
    private async Task HeavyBatchingAsync()
    {
        using var heavy = new HeavyModelRepository(2048, (HeavyModelRepository.Batched, """{"dynamic_batching": {"max_batch_size": 32}}"""), (HeavyModelRepository.Unbatched, null),
            (HeavyModelRepository.FullBatches, HeavyModelRepository.FullBatchesConfig));
        // The server's default layout for this opt-in on this machine, without the server: the same instances and
        // threads, each instance running its share of the 32 clients' rows.
        var layout = BatchingLayout.For(new DynamicBatchingConfig { MaxBatchSize = 32 }, null, Serverless.Core.Inference.ExecutionProvider.Cpu, Environment.ProcessorCount);
        var layoutBatch = Math.Max(1, 32 / layout.Instances);
        var layoutThreads = layout.IntraOpThreads ?? Environment.ProcessorCount;
        var body = Write("heavy-row.json", BatchingBenchmark.Row());
        var binaryBody = Write("heavy-row.bin", BatchingBenchmark.BinaryRow(out var headerLength));
        // No optimized-graph save: a background optimisation of a 35 MB graph would land in the measured window.
        await using var on = await StartAppAsync([$"--Models:Repository={heavy.Root}", "--Inference:CacheOptimizedModels=false"],
            (HeavyModelRepository.Batched, body, 32), (HeavyModelRepository.Unbatched, body, 32));
        await using var off = await StartAppAsync([$"--Models:Repository={heavy.Root}", "--Inference:CacheOptimizedModels=false", "--Metering:Enabled=false"],
            (HeavyModelRepository.Batched, body, 32), (HeavyModelRepository.Unbatched, body, 32), (HeavyModelRepository.FullBatches, body, 32));
        await using var floor = OutsideProcess.StartServer(loadDll, "floor");
        await floor.WaitListeningAsync(TimeSpan.FromSeconds(30));
        foreach (var server in new[] { on, off })
        {
            // One uncounted round warms the binary path.
            await LoadAsync(server, HeavyModelRepository.Batched, binaryBody, 32, headerLength: headerLength);
        }
        await LoadAsync(floor, HeavyModelRepository.Batched, body, 32, stats: false);
        await LoadAsync(floor, HeavyModelRepository.Batched, binaryBody, 32, stats: false, headerLength: headerLength);

        var steps = new List<(string Key, Func<Task<JsonElement>> Measure)>
        {
            ("raw", () => OutsideProcess.RunToEndAsync(Self, "raw", heavy.ModelPath, "256", "32", Seconds)),
            ("raw layout", () => OutsideProcess.RunToEndAsync(Self, "raw-layout", heavy.ModelPath, "256", layoutBatch.ToString(CultureInfo.InvariantCulture), Seconds,
                layout.Instances.ToString(CultureInfo.InvariantCulture), layoutThreads.ToString(CultureInfo.InvariantCulture))),
        };
        foreach (var (label, server) in new[] { ("metering on", on), ("metering off", off) })
        {
            steps.Add((label, () => LoadAsync(server, HeavyModelRepository.Batched, body, 32)));
            steps.Add((label + ", binary", () => LoadAsync(server, HeavyModelRepository.Batched, binaryBody, 32, headerLength: headerLength)));
            steps.Add((label + ", no config", () => LoadAsync(server, HeavyModelRepository.Unbatched, body, 32)));
        }
        // The operator's opt-in for CPU a row under full load: batches held until full (docs/model-repository.md).
        steps.Add(("full batches", () => LoadAsync(off, HeavyModelRepository.FullBatches, body, 32)));
        steps.Add(("bare JSON", () => LoadAsync(floor, HeavyModelRepository.Batched, body, 32, stats: false)));
        steps.Add(("bare binary", () => LoadAsync(floor, HeavyModelRepository.Batched, binaryBody, 32, stats: false, headerLength: headerLength)));
        var results = steps.ToDictionary(s => s.Key, _ => new List<JsonElement>());
        var loads = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (key, measure) in round % 2 == 0 ? steps : steps.AsEnumerable().Reverse())
            {
                loads.Add(MachineLoad.Print($"round {round + 1}: heavy 2048x3, {key}"));
                results[key].Add(await measure());
            }
        }

        List<double> Of(string key, Func<JsonElement, double> value) => results[key].Select(value).ToList();
        report.Section($"heavy 2048x3, 32 clients: raw, servers and the bare app side by side, median of {rounds} alternating rounds [spread], load avg {Spread(loads, "F1")}");
        var rawRows = Of("raw", r => r.GetProperty("per_second").GetDouble() * 32);
        report.Add("raw ORT Run, heavy 2048x3, batch 32 (rows), own process", Median(rawRows), Median(Of("raw", r => Ms(r, "p50_ms"))), Median(Of("raw", r => Ms(r, "p99_ms"))), 1,
            $"raw batch-32 rows/s; rounds {Spread(rawRows, "F0")}");
        var rawCpu = Of("raw", r => r.GetProperty("cpu_us_per_run").GetDouble() / 32);
        report.Add("  raw CPU us per row", Median(rawCpu), double.NaN, double.NaN, 1, $"of raw CPU per row; rounds {Spread(rawCpu, "F0")}");
        var layoutRows = Of("raw layout", r => r.GetProperty("per_second").GetDouble() * layoutBatch);
        report.Add($"raw ORT Run, heavy 2048x3, server's layout ({layout.Instances} x {layoutThreads} threads, batch {layoutBatch})", Median(layoutRows),
            Median(Of("raw layout", r => Ms(r, "p50_ms"))), Median(Of("raw layout", r => Ms(r, "p99_ms"))), Median(layoutRows) / Median(rawRows), $"of raw batch-32 rows/s; {PairedRounds(layoutRows, rawRows)}");
        var layoutCpu = Of("raw layout", r => r.GetProperty("cpu_us_per_run").GetDouble() / layoutBatch);
        report.Add("  raw CPU us per row in the server's layout", Median(layoutCpu), double.NaN, double.NaN, Median(layoutCpu) / Median(rawCpu), $"of raw CPU per row; {PairedRounds(layoutCpu, rawCpu)}");
        // The floor, measured each round: what ONNX Runtime costs a row in the server's layout plus what the bare app
        // (Kestrel, the body read, every float parsed, a constant answer) costs a request of the same body. No server
        // that runs the model on one-row HTTP requests can spend less, whatever its batching and metering do.
        var floors = new Dictionary<string, List<double>>();
        foreach (var kind in new[] { "JSON", "binary" })
        {
            var bare = Of("bare " + kind, Cpu);
            floors[kind] = layoutCpu.Zip(bare, (l, b) => l + b).ToList();
            report.Add($"bare app, heavy row as {kind}, 32 clients: CPU us per request", Median(bare), double.NaN, double.NaN, double.NaN, $"rounds {Spread(bare, "F0")}");
            report.Add($"  floor ({kind}): raw CPU per row in the server's layout + bare app's per request", Median(floors[kind]), double.NaN, double.NaN,
                Median(floors[kind]) / Median(rawCpu), $"of raw CPU per row; {PairedRounds(floors[kind], rawCpu)}");
        }
        foreach (var label in new[] { "metering on", "metering off" })
        {
            var rows = Of(label, Rows);
            report.Add($"HTTP heavy 2048x3, 32 clients, max_batch_size 32, {label}", Median(rows), Median(Of(label, r => Ms(r, "p50_ms"))), Median(Of(label, r => Ms(r, "p99_ms"))),
                Median(rows) / Median(rawRows), $"of raw batch-32 rows/s (target >= 0.8 on); {PairedRounds(rows, rawRows)}");
            report.Add($"  same, against raw in the server's layout ({label})", Median(rows), double.NaN, double.NaN, Median(rows) / Median(layoutRows), $"of raw rows/s in the server's layout; {PairedRounds(rows, layoutRows)}");
            report.Add($"  p99 / p50, rows per Run ({label})", Median(Of(label, RowsPerRun)), double.NaN, double.NaN,
                Median(Of(label, r => Ms(r, "p99_ms") / Ms(r, "p50_ms"))), "p99/p50 (target <= 2.5); value column: rows per Run");
            var cpu = Of(label, Cpu);
            report.Add($"  server CPU us per row ({label})", Median(cpu), double.NaN, double.NaN, Median(cpu) / Median(rawCpu), $"of raw CPU per row (target <= 1.15); {PairedRounds(cpu, rawCpu)}");
            report.Add($"  server CPU us per row ({label}) / the floor (JSON)", Median(cpu), double.NaN, double.NaN, Median(cpu) / Median(floors["JSON"]), $"of the floor; {PairedRounds(cpu, floors["JSON"])}");
            // On this machine the load generator's CPU comes out of the same cores: rows/s cannot pass what the cores
            // hold at the server's and the client's CPU per row, whatever the server does.
            var ceiling = results[label].Select(r => Environment.ProcessorCount * 1e6 / (Cpu(r) + ClientCpu(r))).ToList();
            report.Add($"  ceiling: {Environment.ProcessorCount} cores / (server + load generator CPU per row, {Median(Of(label, ClientCpu)):F0} us) ({label})", Median(ceiling), double.NaN, double.NaN,
                Median(ceiling) / Median(rawRows), $"of raw batch-32 rows/s; measured rows/s are {Median(Paired(rows, ceiling)):F2} of it");
            var binaryRows = Of(label + ", binary", Rows);
            report.Add($"HTTP heavy 2048x3, 32 clients, max_batch_size 32, binary tensors, {label}", Median(binaryRows), Median(Of(label + ", binary", r => Ms(r, "p50_ms"))),
                Median(Of(label + ", binary", r => Ms(r, "p99_ms"))), Median(binaryRows) / Median(rawRows), $"of raw batch-32 rows/s; {PairedRounds(binaryRows, rawRows)}");
            var binaryCpu = Of(label + ", binary", Cpu);
            report.Add($"  server CPU us per row, binary ({label}); value column: rows per Run {Median(Of(label + ", binary", RowsPerRun)):F1}", Median(binaryCpu), double.NaN, double.NaN,
                Median(binaryCpu) / Median(rawCpu), $"of raw CPU per row; {PairedRounds(binaryCpu, rawCpu)}");
            report.Add($"  server CPU us per row, binary ({label}) / the floor (binary)", Median(binaryCpu), double.NaN, double.NaN,
                Median(binaryCpu) / Median(floors["binary"]), $"of the floor; {PairedRounds(binaryCpu, floors["binary"])}");
            var unbatched = Of(label + ", no config", Rows);
            report.Add($"HTTP heavy 2048x3, 32 clients, no config.json, {label}", Median(unbatched), Median(Of(label + ", no config", r => Ms(r, "p50_ms"))),
                Median(Of(label + ", no config", r => Ms(r, "p99_ms"))), Median(unbatched) / Median(rawRows), $"of raw batch-32 rows/s (batching stays opt-in); {PairedRounds(unbatched, rawRows)}");
        }
        // Held until full, a batch costs ONNX Runtime what raw batch-32 costs, so its floor is raw batch-32 plus the bare app.
        var full = Of("full batches", Rows);
        var fullCpu = Of("full batches", Cpu);
        var fullFloor = rawCpu.Zip(Of("bare JSON", Cpu), (r, b) => r + b).ToList();
        report.Add($"HTTP heavy 2048x3, 32 clients, batches held until full (preferred 32, max_queue_delay_us {HeavyModelRepository.FullBatchesDelayUs}), metering off", Median(full),
            Median(Of("full batches", r => Ms(r, "p50_ms"))), Median(Of("full batches", r => Ms(r, "p99_ms"))), Median(full) / Median(rawRows), $"of raw batch-32 rows/s; {PairedRounds(full, rawRows)}");
        report.Add($"  server CPU us per row, batches held until full; value column: rows per Run {Median(Of("full batches", RowsPerRun)):F1}", Median(fullCpu), double.NaN, double.NaN,
            Median(fullCpu) / Median(rawCpu), $"of raw CPU per row (target <= 1.15); {PairedRounds(fullCpu, rawCpu)}");
        report.Add("  same / its floor: raw batch-32 CPU per row + bare app's per request (JSON)", Median(fullFloor), double.NaN, double.NaN,
            Median(fullCpu) / Median(fullFloor), $"of the floor; {PairedRounds(fullCpu, fullFloor)}");
        report.Add("  same / the default's CPU per row (metering off)", Median(fullCpu), double.NaN, double.NaN,
            Median(fullCpu) / Median(Of("metering off", Cpu)), $"of the default; {PairedRounds(fullCpu, Of("metering off", Cpu))}");
    }

    /// <summary>
    /// iris-mlp with metering on (defaults: SQLite, anonymous caller) against off, at 1 and 32 clients, and the bare app
    /// at 32. The three servers run side by side and every round measures each, the order turned round every other
    /// round, so a drift in the machine's speed falls on all of them: on the shared 2-core VM one 5 s window to the next
    /// moved req/s by up to 20%, more than metering's own cost. Rows are the median of the rounds with their spread, and
    /// each ratio's spread is of the rounds' paired ratios.
    /// </summary>
    private async Task IrisMeteringAsync()
    {
        var body = Write("iris-row.json", IrisRow);
        var samples = Path.Combine(root, "models");
        await using var on = await StartAppAsync([$"--Models:Repository={samples}"], ("iris-mlp", body, 32));
        await using var off = await StartAppAsync([$"--Models:Repository={samples}", "--Metering:Enabled=false"], ("iris-mlp", body, 32));
        await using var floor = OutsideProcess.StartServer(loadDll, "floor");
        await floor.WaitListeningAsync(TimeSpan.FromSeconds(30));
        await LoadAsync(floor, "iris-mlp", body, 32, stats: false);
        var windows = new List<(string Label, OutsideProcess Server, int Clients, int? LoadCpu)>
        {
            ("on", on, 1, null), ("on", on, 32, null), ("off", off, 1, null), ("off", off, 32, null), ("floor", floor, 32, null),
        };
        // The one-client rows again with the server on a CPU of its own: the load generator's threads otherwise share
        // its core, and on a small machine that moves p50 by more than metering costs (CpuPinning).
        var pinning = CpuPinning.TryCreate(out var notPinned);
        await using var pinnedOn = pinning is null ? null : await StartAppAsync([$"--Models:Repository={samples}"], pinning, ("iris-mlp", body, 1));
        await using var pinnedOff = pinning is null ? null : await StartAppAsync([$"--Models:Repository={samples}", "--Metering:Enabled=false"], pinning, ("iris-mlp", body, 1));
        if (pinning is not null)
        {
            windows.Add(("pinned on", pinnedOn!, 1, pinning.LoadCpu));
            windows.Add(("pinned off", pinnedOff!, 1, pinning.LoadCpu));
        }
        var results = windows.ToDictionary(w => (w.Label, w.Clients), _ => new List<JsonElement>());
        var loads = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (label, server, clients, loadCpu) in round % 2 == 0 ? windows : windows.AsEnumerable().Reverse())
            {
                loads.Add(MachineLoad.Print($"round {round + 1}: iris-mlp, {(label == "floor" ? "bare app" : "metering " + label)}, {clients} client(s)"));
                results[(label, clients)].Add(await LoadAsync(server, "iris-mlp", body, clients, stats: label != "floor", loadCpu: loadCpu));
            }
        }
        List<double> Of(string label, int clients, Func<JsonElement, double> value) => results[(label, clients)].Select(value).ToList();
        static double Rate(JsonElement e) => e.GetProperty("per_second").GetDouble();
        static double P50(JsonElement e) => e.GetProperty("p50_ms").GetDouble();
        static double P99(JsonElement e) => e.GetProperty("p99_ms").GetDouble();
        report.Section($"iris-mlp, metering on / off and the bare app side by side: median of {rounds} alternating rounds [spread], load avg {Spread(loads, "F1")}");
        var floorRate = Of("floor", 32, Rate);
        report.Add("bare ASP.NET Core app (parse JSON, constant answer), 32 clients", Median(floorRate), Median(Of("floor", 32, P50)), Median(Of("floor", 32, P99)), 1,
            $"of bare app; rounds {Spread(floorRate, "F0")} req/s");
        // One client's rows for the servers whose labels start with prefix; pinned rows say where the server ran.
        void OneClientRows(string prefix, string server, string pinned)
        {
            var offP50 = Of(prefix + "off", 1, P50);
            var offCpu = Of(prefix + "off", 1, Cpu);
            foreach (var metering in new[] { "off", "on" })
            {
                var label = prefix + metering;
                var p50 = Of(label, 1, P50);
                var cpu = Of(label, 1, Cpu);
                report.Add($"HTTP iris-mlp, 1 client, metering {metering}{server}", Median(Of(label, 1, Rate)), Median(p50), Median(Of(label, 1, P99)),
                    Median(p50) / Median(offP50), $"p50 / p50 metering off{pinned} (target <= 1.05); {PairedRounds(p50, offP50)}");
                report.Add($"  server CPU us per request (1 client, metering {metering}{pinned})", Median(cpu), double.NaN, double.NaN, Median(cpu) / Median(offCpu),
                    $"of metering off{pinned}; rounds {Spread(cpu, "F0")} us");
            }
        }
        OneClientRows("", "", "");
        if (pinning is null)
        {
            report.Section($"iris-mlp, 1 client, server on a CPU of its own: not measured ({notPinned})");
        }
        else
        {
            OneClientRows("pinned ", $", {pinning}", ", pinned");
        }
        foreach (var label in new[] { "off", "on" })
        {
            var rate = Of(label, 32, Rate);
            var cpu = Of(label, 32, Cpu);
            report.Add($"HTTP iris-mlp, 32 clients, metering {label}", Median(rate), Median(Of(label, 32, P50)), Median(Of(label, 32, P99)),
                Median(rate) / Median(Of("off", 32, Rate)), $"req/s / metering off (target >= 0.9); {PairedRounds(rate, Of("off", 32, Rate))}");
            report.Add($"  server CPU us per request (32 clients, metering {label})", Median(cpu), double.NaN, double.NaN, Median(cpu) / Median(Of("off", 32, Cpu)),
                $"of metering off; rounds {Spread(cpu, "F0")} us");
        }
        report.Add("  iris-mlp 32 clients metering off vs bare app", double.NaN, double.NaN, double.NaN,
            Median(Of("off", 32, Rate)) / Median(floorRate), $"of bare app req/s; {PairedRounds(Of("off", 32, Rate), floorRate)}");
    }

    /// <summary>
    /// Process start to the first inference answered (iris-mlp), against the bare app's first answer; rounds alternate.
    /// The split beneath comes from each server's own start-up line (<see cref="ColdStartPhases"/>) and, for the
    /// first request, from outside (listening → first 200).
    /// </summary>
    private async Task ColdStartAsync()
    {
        var samples = Path.Combine(root, "models");
        var app = new List<(double Listening, double Answered)>();
        var bare = new List<(double Listening, double Answered)>();
        var appPhases = new List<ColdStartPhases>();
        var appLoads = new List<ModelLoadPhases>();
        var barePhases = new List<ColdStartPhases>();
        var bareModel = new List<(double Listening, double Answered)>();
        var iris = Path.Combine(samples, "iris-mlp", "1", "model.onnx");
        for (var round = 0; round < rounds; round++)
        {
            var data = NewDataDirectory();
            await using (var server = OutsideProcess.StartServer(appDll, $"--Models:Repository={samples}", $"--Storage:DataDirectory={data}",
                ColdStartPhases.AppLogLevelArgument, ModelLoadPhases.AppLogLevelArgument))
            {
                app.Add(await FirstAnswerAsync(server, "/v2/models/iris-mlp/infer", IrisRow));
                appPhases.Add(await ColdStartPhases.ReadAsync(server));
                appLoads.Add(await ModelLoadPhases.ReadAsync(server, "iris-mlp"));
            }
            Directory.Delete(data, recursive: true);
            await using (var floor = OutsideProcess.StartServer(loadDll, "floor"))
            {
                bare.Add(await FirstAnswerAsync(floor, "/v2/models/iris-mlp/infer", IrisRow));
                barePhases.Add(await ColdStartPhases.ReadAsync(floor));
            }
            // The same bare app that also opens iris-mlp with ONNX Runtime on its first request and runs it: the floor
            // for "start -> first inference" of any server of this model.
            await using (var floor = OutsideProcess.StartServer(loadDll, "floor", "--model", iris))
            {
                bareModel.Add(await FirstAnswerAsync(floor, "/v2/models/iris-mlp/infer", IrisRow));
            }
        }
        var bareMs = Median(bare.Select(b => b.Answered));
        report.Add($"bare app: process start -> first answer, median of {rounds}", double.NaN, bareMs, bare.Max(b => b.Answered), 1, "of bare app (p99 column: worst)");
        report.Add("  of which start -> listening", double.NaN, Median(bare.Select(b => b.Listening)), double.NaN, double.NaN, "-");
        report.Add("    runtime start (process -> Main, its own clock, +-10 ms)", double.NaN, Median(barePhases.Select(p => p.RuntimeMs)), double.NaN, double.NaN, "-");
        report.Add("  first request (listening -> first answer)", double.NaN, Median(bare.Select(b => b.Answered - b.Listening)), double.NaN, double.NaN, "-");
        var appMs = Median(app.Select(a => a.Answered));
        report.Add($"app: process start -> first iris-mlp inference, median of {rounds}", double.NaN, appMs, app.Max(a => a.Answered), appMs / bareMs,
            "of bare app (target <= 1.1; p99 column: worst)");
        var appListening = Median(app.Select(a => a.Listening));
        report.Add("  of which start -> listening", double.NaN, appListening, double.NaN, appListening / Median(bare.Select(b => b.Listening)), "of bare app's");
        report.Add("    runtime start (process -> Main, its own clock, +-10 ms)", double.NaN, Median(appPhases.Select(p => p.RuntimeMs)), double.NaN,
            Median(appPhases.Select(p => p.RuntimeMs)) / Median(barePhases.Select(p => p.RuntimeMs)), "of bare app's");
        report.Add("    host build (Main -> built, endpoints mapped)", double.NaN, Median(appPhases.Select(p => p.HostBuildMs)), double.NaN, double.NaN, "-");
        report.Add("    host start (hosted services, Kestrel -> listening)", double.NaN, Median(appPhases.Select(p => p.HostStartMs)), double.NaN, double.NaN, "-");
        report.Add("  first request (listening -> first iris-mlp answer)", double.NaN, Median(app.Select(a => a.Answered - a.Listening)), double.NaN,
            Median(app.Select(a => a.Answered - a.Listening)) / Median(bare.Select(b => b.Answered - b.Listening)), "of bare app's");
        report.Add("    of which the model's load (fetch, session open, warm-up)", double.NaN, Median(appLoads.Select(l => l.TotalMs)), double.NaN, double.NaN, "-");
        report.Add("    rest: HTTP, routing's first match, codec, metering, first Run", double.NaN,
            Median(app.Zip(appLoads, (a, l) => a.Answered - a.Listening - l.TotalMs)), double.NaN, double.NaN, "-");
        report.Add("  same, paired by round", double.NaN, double.NaN, double.NaN, Median(app.Zip(bare, (a, b) => a.Answered / b.Answered)), "median of each round's app / bare");
        var bareModelMs = Median(bareModel.Select(b => b.Answered));
        report.Add($"bare app + ONNX Runtime (opens iris-mlp on its first request, one Run): start -> first answer, median of {rounds}", double.NaN, bareModelMs,
            bareModel.Max(b => b.Answered), bareModelMs / bareMs, "of bare app (p99 column: worst)");
        report.Add("  first request (listening -> first answer)", double.NaN, Median(bareModel.Select(b => b.Answered - b.Listening)), double.NaN, double.NaN, "-");
        report.Add("  app's start -> first inference against it", double.NaN, double.NaN, double.NaN, appMs / bareModelMs,
            $"of bare app + ONNX Runtime; paired by round {Median(app.Zip(bareModel, (a, b) => a.Answered / b.Answered)):F2}x");
    }

    /// <summary>
    /// First request of the heavy model (no config) from a folder repository, against a bare session creation in its
    /// own process; the split beneath is the app's own load line (<see cref="ModelLoadPhases"/>).
    /// </summary>
    private async Task HeavyFirstRequestAsync()
    {
        using var heavy = new HeavyModelRepository(2048, (HeavyModelRepository.Unbatched, null));
        var body = BatchingBenchmark.Row();
        var first = new List<double>();
        var loads = new List<ModelLoadPhases>();
        var open = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var data = NewDataDirectory();
            await using (var server = OutsideProcess.StartServer(appDll, $"--Models:Repository={heavy.Root}", $"--Storage:DataDirectory={data}", ModelLoadPhases.AppLogLevelArgument))
            {
                await FirstAnswerAsync(server, "/v2/health/ready", null);
                using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
                var t = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync($"/v2/models/{HeavyModelRepository.Unbatched}/infer", Json(body));
                first.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                response.EnsureSuccessStatusCode();
                loads.Add(await ModelLoadPhases.ReadAsync(server, HeavyModelRepository.Unbatched));
            }
            Directory.Delete(data, recursive: true);
            open.Add((await OutsideProcess.RunToEndAsync(Self, "open", heavy.ModelPath)).GetProperty("open_ms").GetDouble());
        }
        var openMs = Median(open);
        report.Add($"bare session creation, heavy 2048x3 ({new FileInfo(heavy.ModelPath).Length / 1e6:F1} MB), own process, median of {rounds}", double.NaN, openMs, open.Max(), 1, "of bare session (p99 column: worst)");
        var firstMs = Median(first);
        report.Add($"first request, heavy 2048x3 from a folder, median of {rounds}", double.NaN, firstMs, first.Max(), firstMs / openMs, "of bare session (target <= 1.1)");
        report.Add("  of which fetch (folder described in place, config read)", double.NaN, Median(loads.Select(l => l.FetchMs)), double.NaN, double.NaN, "-");
        report.Add("  of which session open", double.NaN, Median(loads.Select(l => l.OpenMs)), double.NaN, Median(loads.Select(l => l.OpenMs)) / openMs, "of bare session");
        report.Add("  of which warm-up run (none without a config)", double.NaN, Median(loads.Select(l => l.WarmupMs)), double.NaN, double.NaN, "-");
        report.Add("  rest: request path (HTTP, codec, metering, first Run)", double.NaN, Median(first.Zip(loads, (f, l) => f - l.TotalMs)), double.NaN, double.NaN, "-");
        report.Add("  same, paired by round", double.NaN, double.NaN, double.NaN, Median(first.Zip(open, (f, o) => f / o)), "median of each round's first / open");
    }

    private static readonly byte[] IrisRow = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}""");

    private string Seconds => duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>A fresh server, warmed by a full uncounted round of load on each of <paramref name="warm"/> (model, body, clients).</summary>
    /// <remarks>
    /// Two seconds of warm-up were not enough: on the shared 2-core VM the first model measured on each server ran at
    /// a third to a half of the second one's rows/s (JIT tiering and the first loads still under way), whichever it was.
    /// </remarks>
    private Task<OutsideProcess> StartAppAsync(string[] settings, params (string Model, string Body, int Clients)[] warm) =>
        StartAppAsync(settings, pinning: null, warm);

    /// <param name="pinning">When given, the server runs on its CPU only and its warm-up load on the load generator's.</param>
    private async Task<OutsideProcess> StartAppAsync(string[] settings, CpuPinning? pinning, params (string Model, string Body, int Clients)[] warm)
    {
        var data = NewDataDirectory();
        var server = OutsideProcess.StartServerOwning(appDll, data, pinning?.ServerCpu, [$"--Storage:DataDirectory={data}", .. settings]);
        await FirstAnswerAsync(server, "/v2/health/ready", null);
        Task<JsonElement> WarmAsync(string model, string body, int clients) => LoadAsync(server, model, body, clients, loadCpu: pinning?.LoadCpu);
        foreach (var (model, body, clients) in warm)
        {
            await WarmAsync(model, body, clients);
        }
        // More rounds while the tiered JIT still worked through the last one (over 50 ms of its thread's CPU), at most
        // MaxExtraWarmupRounds: on a loaded machine a fixed warm-up left tier-1 recompilation in the measured window.
        var jit = TieredJit.CpuTicks(server.Pid);
        for (var extra = 0; extra < MaxExtraWarmupRounds && jit is not null; extra++)
        {
            foreach (var (model, body, clients) in warm)
            {
                await WarmAsync(model, body, clients);
            }
            var now = TieredJit.CpuTicks(server.Pid);
            if (now is null || now - jit <= 5)
            {
                break;
            }
            jit = now;
        }
        return server;
    }

    private Task<JsonElement> LoadAsync(OutsideProcess server, string model, string body, int clients, bool stats = true, int? headerLength = null, int? loadCpu = null) =>
        OutsideProcess.RunToEndAsync(loadDll, loadCpu, ["load", "--url", server.Address.ToString(), "--path", $"/v2/models/{model}/infer", "--body", body,
            "--clients", clients.ToString(CultureInfo.InvariantCulture), "--seconds", Seconds, "--server-pid", server.Pid.ToString(CultureInfo.InvariantCulture),
            .. stats ? new[] { "--stats-model", model } : [],
            .. headerLength is { } length ? new[] { "--header-length", length.ToString(CultureInfo.InvariantCulture) } : []]);

    /// <summary>Start -> listening and start -> first 200 (a POST of <paramref name="body"/>, or a GET without one), retried while refused or not ready.</summary>
    private static async Task<(double Listening, double Answered)> FirstAnswerAsync(OutsideProcess server, string path, byte[]? body)
    {
        var listening = await server.WaitListeningAsync(TimeSpan.FromMinutes(1));
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        while (true)
        {
            try
            {
                using var response = body is null ? await client.GetAsync(path) : await client.PostAsync(path, Json(body));
                await response.Content.LoadIntoBufferAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (listening, Stopwatch.GetElapsedTime(server.StartedTimestamp).TotalMilliseconds);
                }
            }
            catch (HttpRequestException)
            {
            }
            if (Stopwatch.GetElapsedTime(server.StartedTimestamp) > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{path} never answered 200");
            }
            await Task.Delay(1);
        }
    }

    private static ByteArrayContent Json(byte[] body) => new(body) { Headers = { ContentType = new("application/json") } };

    private static string Write(string name, byte[] body)
    {
        var path = Path.Combine(Path.GetTempPath(), "serverless-bench-" + name);
        File.WriteAllBytes(path, body);
        return path;
    }

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N"));

    private static double Ms(JsonElement e, string name) => e.GetProperty(name).GetDouble();

    private static double Rows(JsonElement e) => e.GetProperty("rows").GetInt64() / e.GetProperty("seconds").GetDouble();

    /// <summary>The server's CPU per request (one row each), from /proc; NaN where it could not be read.</summary>
    private static double Cpu(JsonElement e) =>
        e.GetProperty("server_cpu_us_per_request") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;

    /// <summary>The load generator's own CPU per request, from its process; NaN where it could not be read.</summary>
    private static double ClientCpu(JsonElement e) =>
        e.GetProperty("client_cpu_us_per_request") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;

    private static double RowsPerRun(JsonElement e) => e.GetProperty("rows").GetInt64() / (double)Math.Max(1, e.GetProperty("runs").GetInt64());
}
