using System.Net.Sockets;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>
/// Forwards a request to the worker's own Kestrel (the <c>HttpUri</c> capability) as the host's proxy does: same method,
/// path, query, headers and body, plus <c>x-ms-invocation-id</c>, and connection failures retried because the worker
/// answers the handshake before its Kestrel listens (azure-functions-host RetryProxyHandler: 10 retries, 50 ms doubling
/// to at most 250 ms).
/// </summary>
public sealed class HttpForwarder(Uri workerUri) : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private const int MaxRetries = 10;

    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(240), // the host's forwarder ActivityTimeout
    };

    /// <param name="completion">
    /// <see cref="HttpCompletionOption.ResponseHeadersRead"/> to return as soon as the headers arrive, the body still
    /// streaming, as the host's YARP forwarder passes a response on; the default reads the whole body first.
    /// </param>
    public async Task<HttpResponseMessage> ForwardAsync(BufferedRequest request, string invocationId, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 0; ; attempt++)
        {
            using var forwarded = request.ToMessage(new Uri(workerUri, request.PathAndQuery));
            forwarded.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
            try
            {
                var response = await _client.SendAsync(forwarded, completion, cancellationToken);
                return response;
            }
            catch (HttpRequestException e) when (attempt < MaxRetries && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // Nothing reached the worker, so sending again cannot run the function twice.
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>A request held in memory so that it can be sent again (to retry) or to two servers (to compare).</summary>
public sealed record BufferedRequest(HttpMethod Method, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string[]>> Headers, byte[]? Body, IReadOnlyList<KeyValuePair<string, string[]>> ContentHeaders)
{
    public static async Task<BufferedRequest> FromAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var pathAndQuery = uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;
        var headers = request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray())).ToList();
        if (request.Content is null)
        {
            return new BufferedRequest(request.Method, pathAndQuery, headers, null, []);
        }
        var body = await request.Content.ReadAsByteArrayAsync();
        var contentHeaders = request.Content.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray())).ToList();
        return new BufferedRequest(request.Method, pathAndQuery, headers, body, contentHeaders);
    }

    public string Path => PathAndQuery.Split('?', 2)[0];

    public HttpRequestMessage ToMessage(Uri uri)
    {
        var message = new HttpRequestMessage(Method, uri);
        foreach (var (name, values) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, values);
        }
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            foreach (var (name, values) in ContentHeaders)
            {
                message.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return message;
    }
}
