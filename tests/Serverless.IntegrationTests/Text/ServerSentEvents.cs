namespace Serverless.Tests.Text;

/// <summary>Reads an SSE response as it arrives: each <c>data:</c> payload once its blank line comes.</summary>
internal sealed class ServerSentEvents(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    /// <returns>The next event's data, or null at the end of the stream.</returns>
    public async Task<string?> NextAsync(CancellationToken cancellationToken = default)
    {
        string? data = null;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && data is not null)
            {
                return data;
            }
        }
        return null;
    }

    public async Task<List<string>> RestAsync()
    {
        var events = new List<string>();
        while (await NextAsync() is { } data)
        {
            events.Add(data);
        }
        return events;
    }

    public void Dispose() => _reader.Dispose();
}
