using System.Text;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Runs one chat completion or completion call and answers it, whole or streamed. Anything wrong with the request is
/// thrown by <see cref="ITextGeneration.StartAsync"/> before a byte is written, so it is answered with its status in
/// OpenAI's envelope; once streaming, a failure is a <c>data: {"error": ...}</c> event followed by <c>[DONE]</c>. The
/// client's going away cancels the generation (the token the generator got) and disposing the stream bills what was
/// generated until then.
/// </summary>
public sealed class CompletionResponder(TimeProvider time, ILogger<CompletionResponder> logger)
{
    public async Task AnswerAsync(HttpContext context, CompletionKind kind, GenerationCall call, ITextGeneration generation)
    {
        var ct = context.RequestAborted;
        await using var stream = await generation.StartAsync(context.GetCaller(), call.Request, ct);
        var header = CompletionHeader.For(kind, call.Request.Model, time);
        var choices = call.Request.Inputs.Count * call.Request.N;
        if (call.Stream)
        {
            await StreamAsync(context, header, call.IncludeUsage, choices, stream);
            return;
        }
        var texts = new StringBuilder[choices];
        var reasons = new FinishReason?[choices];
        await foreach (var (index, e) in stream.Events.WithCancellation(ct))
        {
            switch (e)
            {
                case GeneratedText text:
                    (texts[index] ??= new StringBuilder()).Append(text.Text);
                    break;
                case GenerationFinished finished:
                    reasons[index] = finished.Reason;
                    break;
            }
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        CompletionResponseWriter.Write(context.Response.BodyWriter, header,
            [.. texts.Select((text, i) => new CompletionResponseWriter.Choice(text?.ToString() ?? "", reasons[i]))], stream.Usage);
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    private async Task StreamAsync(HttpContext context, CompletionHeader header, bool includeUsage, int choices, GenerationStream stream)
    {
        var ct = context.RequestAborted;
        var chunks = new CompletionChunkWriter(header, includeUsage);
        using var events = ServerSentEventWriter.Start(context);
        try
        {
            if (header.Kind == CompletionKind.Chat)
            {
                for (var i = 0; i < choices; i++)
                {
                    var index = i;
                    await events.WriteAsync(json => chunks.WriteOpening(json, index), ct);
                }
            }
            await foreach (var (index, e) in stream.Events.WithCancellation(ct))
            {
                switch (e)
                {
                    // Empty while a stop string or a multi-byte character is undecided: nothing to send yet.
                    case GeneratedText { Text.Length: > 0 } text:
                        await events.WriteAsync(json => chunks.WriteText(json, index, text.Text), ct);
                        break;
                    case GenerationFinished finished:
                        await events.WriteAsync(json => chunks.WriteFinish(json, index, finished.Reason), ct);
                        break;
                }
            }
            if (includeUsage)
            {
                var usage = stream.Usage;
                await events.WriteAsync(json => chunks.WriteUsage(json, usage), ct);
            }
        }
        catch (Exception e) when (StreamFailure.Of(e, context, logger) is { } failure)
        {
            await events.WriteAsync(json => OpenAiErrorEnvelope.Write(json, failure.Status, failure.Message, failure.Error), ct);
        }
        await events.WriteDoneAsync(ct);
    }
}
