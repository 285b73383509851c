namespace Serverless.Core.Errors;

/// <summary>
/// An error that knows how it reaches a client: its HTTP status, and a message that names the offending
/// model, input or field. The protocol layer renders it as <c>{"error": message}</c>.
/// </summary>
public abstract class ServerlessException(string message, int statusCode, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>nginx's "client closed request": the caller went away before an answer, so nobody is answered.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// A cancellation the caller did not cause is the server's own (a timeout, a shutdown): 503, as the server's other
    /// timeouts are (a load that outlasts Models:LoadWaitTimeoutSeconds, a batch queue timeout), so clients retry it.
    /// Not 504: no gateway stands between the caller and the model that failed to answer in time.
    /// </summary>
    public const int ServerCancelled = 503;

    /// <summary>The server's data disk is full or read-only (<see cref="DataDiskFailure"/>): the server's fault, and passing.</summary>
    public const int DataDiskFailed = 503;

    public int StatusCode { get; } = statusCode;

    /// <summary>Seconds a client should wait before retrying (sent as Retry-After), when retrying makes sense.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>
    /// The status a failure is answered with, decided here only: the HTTP pipeline answers with it and a metered call's
    /// usage record keeps it, so the two cannot disagree. <paramref name="callerGone"/> is the token that fires when the
    /// caller goes away: a cancellation it caused is <see cref="ClientClosedRequest"/>, any other <see cref="ServerCancelled"/>.
    /// </summary>
    public static int StatusOf(Exception exception, CancellationToken callerGone) => exception switch
    {
        ServerlessException e => e.StatusCode,
        OperationCanceledException when callerGone.IsCancellationRequested => ClientClosedRequest,
        OperationCanceledException => ServerCancelled,
        // The process ran out of memory for this request (a large one under a container limit): the server's state,
        // not the caller's input, and one a retry may find passed, so 503 with Retry-After (EndpointPipeline).
        OutOfMemoryException => 503,
        _ when DataDiskFailure.Is(exception) => DataDiskFailed,
        _ => 500,
    };
}
