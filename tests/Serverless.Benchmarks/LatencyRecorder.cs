using System.Diagnostics;

namespace Serverless.Benchmarks;

/// <summary>Latencies of one measured phase, and the throughput they add up to.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = [];
    private readonly object _gate = new();

    public TimeSpan Elapsed { get; set; }

    /// <summary>This process's CPU time over the measured window (raw ONNX Runtime runs only).</summary>
    public TimeSpan ProcessCpu { get; set; }

    /// <summary>Bytes allocated in this process (server and load client) during the measured phase.</summary>
    public long AllocatedBytes { get; set; }

    public double AllocatedBytesPerRequest => Count == 0 ? double.NaN : (double)AllocatedBytes / Count;

    public int Count { get { lock (_gate) { return _milliseconds.Count; } } }

    public void Record(long startTimestamp)
    {
        var ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        lock (_gate)
        {
            _milliseconds.Add(ms);
        }
    }

    public double PerSecond => Count / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        lock (_gate)
        {
            if (_milliseconds.Count == 0)
            {
                return double.NaN;
            }
            var sorted = _milliseconds.Order().ToArray();
            return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
        }
    }
}
