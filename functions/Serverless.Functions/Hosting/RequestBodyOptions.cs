using System.ComponentModel.DataAnnotations;

namespace Serverless.Functions.Hosting;

/// <summary>
/// The settings of configuration section <c>Inference</c> that bound request bodies: HTTP settings, kept out of the
/// core (whose <c>InferenceOptions</c> read the same section).
/// </summary>
public sealed class RequestBodyOptions
{
    public const string Section = "Inference";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Bytes of inference request bodies held in memory at once, across every request in flight; past it a request is
    /// answered 503 with Retry-After instead of being buffered. Never less than <see cref="MaxRequestBytes"/> in effect.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxBufferedRequestBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// How many bytes of a refused body (413, an unknown model, buffers full) are still read and discarded before the
    /// answer, so that a client that sends its whole body before reading (Python's urllib, tritonclient) gets the
    /// error instead of a connection reset. Like nginx's lingering close, bounded in bytes and in time.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long RefusedBodyDrainBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The time limit of that drain; a client still sending after it is cut off.</summary>
    [Range(0, 600)]
    public int RefusedBodyDrainSeconds { get; set; } = 10;
}
