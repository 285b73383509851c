using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using static Serverless.Benchmarks.RoundStatistics;

namespace Serverless.Benchmarks;

/// <summary>
/// What metering costs a call without HTTP: the real app twice in this process (metering on, off), its
/// <see cref="MeteredInference"/> called in a loop on one thread with iris-mlp, alternating rounds, process CPU a call
/// (so the journal's shipper to SQLite is counted with its calls). The outside rows carry HTTP, the load generator and
/// the machine's window-to-window drift, which on the shared 2-core VM moved more than metering costs; this row
/// accounts for metering alone (issue 26, fifth pass: 12 us a call).
/// </summary>
public static class MeteringCallsBenchmark
{
    private const int CallsPerRound = 20_000;

    public static async Task RunAsync(BenchmarkReport report, string samples, int rounds)
    {
        await using var on = await BenchmarkServer.StartAsync($"--Models:Repository={samples}");
        await using var off = await BenchmarkServer.StartAsync($"--Models:Repository={samples}", "--Metering:Enabled=false");
        var meteredOn = on.Services.GetRequiredService<MeteredInference>();
        var meteredOff = off.Services.GetRequiredService<MeteredInference>();
        // The anonymous caller with the default plan, as a call without an API key gets it.
        var caller = new CallerIdentity(CallerId.Anonymous, null, new CallerPlan());
        var exchange = new FixedExchange(new InferenceRequest("metering-calls", [new InferenceTensor("features", TensorDataType.FP32, [1, 4], new byte[16])], []));
        // Warm: tiered JIT, the model loaded, the ledger's first groups.
        for (var i = 0; i < 3; i++)
        {
            await CpuPerCallAsync(meteredOn, caller, exchange);
            await CpuPerCallAsync(meteredOff, caller, exchange);
        }
        var onCpu = new List<double>();
        var offCpu = new List<double>();
        var loads = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            loads.Add(MachineLoad.Print($"round {round + 1}: metered calls in process"));
            // The order turned round every other round, so a drift falls on both.
            if (round % 2 == 0)
            {
                onCpu.Add(await CpuPerCallAsync(meteredOn, caller, exchange));
                offCpu.Add(await CpuPerCallAsync(meteredOff, caller, exchange));
            }
            else
            {
                offCpu.Add(await CpuPerCallAsync(meteredOff, caller, exchange));
                onCpu.Add(await CpuPerCallAsync(meteredOn, caller, exchange));
            }
        }
        report.Section($"metered calls in process, no HTTP (iris-mlp, one thread): median of {rounds} alternating rounds [spread], load avg {Spread(loads, "F1")}");
        report.Add("process CPU us a call, metering off", Median(offCpu), double.NaN, double.NaN, 1, $"of metering off; rounds {Spread(offCpu, "F1")}");
        report.Add("process CPU us a call, metering on", Median(onCpu), double.NaN, double.NaN, Median(onCpu) / Median(offCpu),
            $"of metering off; {PairedRounds(onCpu, offCpu)}");
        var added = onCpu.Zip(offCpu, (a, b) => a - b).ToList();
        report.Add("  metering's own CPU us a call (on - off)", Median(added), double.NaN, double.NaN, double.NaN, $"rounds {Spread(added, "F1")}");
    }

    private static async Task<double> CpuPerCallAsync(MeteredInference metered, CallerIdentity caller, IInferenceExchange exchange)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < CallsPerRound; i++)
        {
            using var response = await metered.InferAsync(caller, "iris-mlp", null, exchange);
        }
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / CallsPerRound;
    }

    /// <summary>The same decoded request every call: the protocol's work is not what this row measures.</summary>
    private sealed class FixedExchange(InferenceRequest request) : IInferenceExchange
    {
        public long RequestBytes => 16;

        public InferenceRequest ReadRequest() => request;

        public void EnsureSendable(InferenceResponse response)
        {
        }
    }
}
