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
    /// The part of <see cref="MaxBufferedRequestBytes"/> one caller may hold at once (an anonymous caller is its client
    /// address), so one caller's uploads cannot take it all from the rest; past it that caller's request is answered
    /// 503 with Retry-After. Unset: a quarter of the total. In effect never less than <see cref="MaxRequestBytes"/>
    /// nor more than the total.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long? MaxBufferedRequestBytesPerCaller { get; set; }

    /// <summary>
    /// The slowest a request body may arrive, on average, once <see cref="MinRequestBodyGraceSeconds"/> have passed
    /// (Kestrel's MinRequestBodyDataRate): a slower one is cut off with 408 and returns what it reserved at once, so a
    /// trickling upload cannot hold its share of the buffered bytes for hours. 0: no minimum.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MinRequestBodyBytesPerSecond { get; set; } = 16 * 1024;

    /// <summary>How long a body may arrive slower than <see cref="MinRequestBodyBytesPerSecond"/> before that counts (Kestrel needs more than 1 s).</summary>
    [Range(2, 3600)]
    public int MinRequestBodyGraceSeconds { get; set; } = 10;

    /// <summary>The total cap in effect: at least one largest body always fits when nothing else is buffered.</summary>
    public long EffectiveMaxBufferedRequestBytes => Math.Max(MaxBufferedRequestBytes, MaxRequestBytes);

    /// <summary>One caller's cap in effect: a quarter of the total unless set, never below one largest body nor above the total.</summary>
    public long EffectiveMaxBufferedRequestBytesPerCaller =>
        Math.Min(EffectiveMaxBufferedRequestBytes, Math.Max(MaxRequestBytes, MaxBufferedRequestBytesPerCaller ?? EffectiveMaxBufferedRequestBytes / 4));

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

/// <summary><see cref="RequestBodyOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class RequestBodyOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<RequestBodyOptions>;
