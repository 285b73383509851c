using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class ServerSentEventWriterTests
{
    [Fact]
    public async Task Write_EventsThenDone_DataLinesEachEndedByABlankLine()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;

        using (var events = ServerSentEventWriter.Start(context))
        {
            await events.WriteAsync(json => { json.WriteStartObject(); json.WriteString("a", "x\ny"); json.WriteEndObject(); }, default);
            await events.WriteAsync(json => { json.WriteStartObject(); json.WriteNumber("b", 2); json.WriteEndObject(); }, default);
            await events.WriteDoneAsync(default);
        }

        Assert.Equal("data: {\"a\":\"x\\ny\"}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n", Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal("text/event-stream; charset=utf-8", context.Response.ContentType);
        Assert.Equal("no-cache", context.Response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task Write_EachEvent_FlushedAtOnce()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        using var events = ServerSentEventWriter.Start(context);

        await events.WriteAsync(json => { json.WriteStartObject(); json.WriteEndObject(); }, default);

        Assert.Equal("data: {}\n\n", Encoding.UTF8.GetString(body.ToArray()));
    }
}
