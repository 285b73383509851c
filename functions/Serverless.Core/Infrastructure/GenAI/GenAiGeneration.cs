using System.Threading.Channels;
using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Errors;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// One generation's token loop, run on its own thread because every GenAI call blocks: prefill, then one token per
/// step, each decoded, checked for stop strings, counted and written to the channel the caller reads. Cancelling
/// stops it before the next step and interrupts a running step (a long prefill) through GenAI's terminate_session.
/// </summary>
internal sealed class GenAiGeneration(Model model, Tokenizer tokenizer, GenAiFolder folder, int[] prompt, GenerationOptions options, int maxLength,
    GenerationProgress progress, ChannelWriter<GenerationEvent> events)
{
    public void Run(CancellationToken cancellationToken)
    {
        try
        {
            Generate(cancellationToken);
        }
        catch (OnnxRuntimeGenAIException) when (cancellationToken.IsCancellationRequested)
        {
            // The terminated session's step failed: that is the cancellation arriving mid-step.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw new ModelRunException($"generation failed: {e.Message}", e);
        }
        finally
        {
            events.TryComplete();
        }
    }

    // The channel is bounded: a caller that reads slowly (a slow client) holds the loop back instead of letting it
    // generate, and bill, tokens far ahead of what was delivered. Blocking is fine on this thread, which is the loop's own.
    private void Write(GenerationEvent e, CancellationToken cancellationToken)
    {
        if (!events.TryWrite(e))
        {
            events.WriteAsync(e, cancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }

    private void Generate(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var parameters = new GeneratorParams(model);
        SearchOptions.Apply(parameters, options, maxLength);
        using var generator = new Generator(model, parameters);
        using var stream = tokenizer.CreateStream();
        // Declared after the generator, so disposed before it: Dispose waits for a callback already running.
        using var interrupt = cancellationToken.Register(() => generator.SetRuntimeOption("terminate_session", "1"));
        generator.AppendTokens(prompt);
        var stops = new StopStringMatcher(options.Stop);
        var generated = 0;
        var reason = FinishReason.Length;
        // NOTE: never Generator.IsDone(): once terminate_session is set (the interrupt above, from another thread at
        // any moment) it throws a C++ exception GenAI's C API does not catch, which aborts the process (tested on
        // 0.20.0). The loop knows both ends itself: an end-of-sequence token, and max_length.
        while (generated < maxLength - prompt.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken();
            var token = generator.GetNextTokens()[0];
            generated++;
            progress.AddCompletionTokens(1);
            if (folder.EosTokenIds.Contains(token))
            {
                // The end-of-sequence token is generated (and billed) but is not text.
                Write(new GeneratedText(stops.Flush(), 1), cancellationToken);
                reason = FinishReason.Stop;
                break;
            }

            var (released, stopped) = stops.Append(stream.Decode(token));
            Write(new GeneratedText(released, 1), cancellationToken);
            if (stopped)
            {
                reason = FinishReason.Stop;
                break;
            }
        }

        if (reason == FinishReason.Length && stops.Flush() is { Length: > 0 } rest)
        {
            Write(new GeneratedText(rest, 0), cancellationToken);
        }

        Write(new GenerationFinished(reason, new TokenUsage(prompt.Length, generated)), cancellationToken);
    }
}
