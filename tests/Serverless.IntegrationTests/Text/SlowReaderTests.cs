using Serverless.Core.Metering;
using Serverless.Core.Text.Generation;

namespace Serverless.Tests.Text;

/// <summary>
/// A caller that stops reading a generation holds its token loop back (bounded buffers all the way down) instead of
/// letting it generate, and bill, tokens far ahead of what was delivered. Read at the service the protocol calls: over
/// HTTP the sockets' own buffers would hide it.
/// </summary>
[Collection(TextGenerationServerFixture.Collection)]
public sealed class SlowReaderTests(TextGenerationServerFixture server)
{
    private const string Model = TextGenerationServerFixture.ReaderModel;

    private static GenerationRequest Request(int maxTokens) =>
        new(Model, [GenerationInput.OfPrompt("Once upon a time")], new GenerationOptions { MaxTokens = maxTokens, Temperature = 0 });

    [Fact]
    public async Task AStreamNotRead_ItsLoopStaysAFewTokensAhead_WhileAnEqualGenerationRunsHundreds()
    {
        const int OtherTokens = 500;
        var generation = server.Host.GetRequiredService<ITextGeneration>();
        await using var unread = await generation.StartAsync(CallerIdentity.AdminIdentity, Request(TextGenerationServerFixture.SlowMaxTokens));
        await using var events = unread.Events.GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        // The same decoder generating to the end beside it: as long as the unread one, unheld, would take to run as far.
        await using (var other = await generation.StartAsync(CallerIdentity.AdminIdentity, Request(OtherTokens)))
        {
            await foreach (var _ in other.Events)
            {
            }
            Assert.Equal(OtherTokens, other.Usage.CompletionTokens);
        }

        Assert.InRange(unread.Usage.CompletionTokens, 1, 50);
    }
}
