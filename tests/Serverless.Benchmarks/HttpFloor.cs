using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Benchmarks;

/// <summary>
/// The HTTP floor: a bare ASP.NET Core endpoint in this process that reads the whole body, parses it with
/// <see cref="JsonDocument"/> and answers a constant. No server can do less per request and still read the JSON.
/// </summary>
public sealed class HttpFloor : IAsyncDisposable
{
    public const string Path = "/floor";

    private static readonly byte[] Answer = """{"outputs":[]}"""u8.ToArray();

    private readonly WebApplication _app;

    private HttpFloor(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<HttpFloor> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost(Path, ParseAndAnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpFloor(app, new Uri(address));
    }

    private static async Task ParseAndAnswerAsync(HttpContext context)
    {
        while (true)
        {
            var read = await context.Request.BodyReader.ReadAsync(context.RequestAborted);
            if (read.IsCompleted)
            {
                using (var document = JsonDocument.Parse(read.Buffer))
                {
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        context.Response.StatusCode = 400;
                    }
                }
                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                break;
            }
            context.Request.BodyReader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Answer, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
