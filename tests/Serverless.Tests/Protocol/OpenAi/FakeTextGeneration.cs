using System.Runtime.CompilerServices;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Tests.Protocol.OpenAi;

/// <summary>
/// A generator that writes a fixed script: every choice generates <see cref="Pieces"/> (one token each) and finishes with
/// <see cref="Reason"/>. It can refuse the call, fail after some pieces, or hang after the first piece until the
/// caller's token is cancelled, and it records the requests it got, whether its token was cancelled and whether its
/// stream was disposed.
/// </summary>
public sealed class FakeTextGeneration : ITextGeneration
{
    public const int PromptTokensPerInput = 3;

    public IReadOnlyList<string> Pieces { get; init; } = ["Hello", ",", " world"];

    public FinishReason Reason { get; init; } = FinishReason.Stop;

    /// <summary>Thrown by <see cref="StartAsync"/>, before any event (a 400, 404, 429 of the metered call).</summary>
    public Exception? RefuseWith { get; init; }

    /// <summary>Thrown from the events once the first choice has sent its pieces.</summary>
    public Exception? FailMidStreamWith { get; init; }

    /// <summary>After the first piece, wait for the caller's token (a client that disconnects).</summary>
    public bool HangAfterFirstPiece { get; init; }

    public List<(CallerIdentity Caller, GenerationRequest Request)> Calls { get; } = [];

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set once the first piece is out: the generation is under way.</summary>
    public TaskCompletionSource FirstPieceSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<GenerationStream> StartAsync(CallerIdentity caller, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add((caller, request));
        }
        if (RefuseWith is not null)
        {
            throw RefuseWith;
        }
        TextModelName.TryParse(request.Model, out var name);
        return Task.FromResult<GenerationStream>(new Stream(this, new ModelKey(name.Name, name.Version ?? 1), request, cancellationToken));
    }

    private sealed class Stream(FakeTextGeneration fake, ModelKey key, GenerationRequest request, CancellationToken startToken) : GenerationStream
    {
        private long _completionTokens;

        public override ModelKey Key => key;

        public override long PromptTokens => PromptTokensPerInput * request.Inputs.Count * request.N;

        public override TokenUsage Usage => new(PromptTokens, Interlocked.Read(ref _completionTokens));

        public override IAsyncEnumerable<ChoiceEvent> Events => GenerateAsync(default);

        private async IAsyncEnumerable<ChoiceEvent> GenerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, startToken);
            try
            {
                var choices = request.Inputs.Count * request.N;
                for (var choice = 0; choice < choices; choice++)
                {
                    var tokens = 0;
                    foreach (var piece in fake.Pieces)
                    {
                        await Task.Yield();
                        Interlocked.Increment(ref _completionTokens);
                        tokens++;
                        yield return new ChoiceEvent(choice, new GeneratedText(piece, 1));
                        fake.FirstPieceSent.TrySetResult();
                        if (fake.HangAfterFirstPiece)
                        {
                            await Task.Delay(Timeout.Infinite, linked.Token);
                        }
                    }
                    if (fake.FailMidStreamWith is { } failure)
                    {
                        throw failure;
                    }
                    yield return new ChoiceEvent(choice, new GenerationFinished(fake.Reason, new TokenUsage(PromptTokensPerInput, tokens)));
                }
            }
            finally
            {
                if (linked.IsCancellationRequested)
                {
                    fake.Cancelled.TrySetResult();
                }
            }
        }

        public override ValueTask DisposeAsync()
        {
            fake.Disposed.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
