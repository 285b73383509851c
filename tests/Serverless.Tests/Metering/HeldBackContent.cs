using System.Net;
using System.Text;

namespace Serverless.Tests.Metering;

/// <summary>
/// A request body sent in two parts: the first at once, the rest when the test releases it. In between it trickles
/// JSON whitespace, so Kestrel's minimum body data rate does not cut the request while the test holds it.
/// </summary>
internal sealed class HeldBackContent(string json) : HttpContent
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        // Everything up to the first '{', then padding, then the rest: still one valid JSON document.
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json[..1]));
        await stream.FlushAsync();
        var padding = Encoding.UTF8.GetBytes(new string(' ', 256));
        while (!_release.Task.IsCompleted)
        {
            await Task.WhenAny(_release.Task, Task.Delay(100));
            await stream.WriteAsync(padding);
            await stream.FlushAsync();
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json[1..]));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
