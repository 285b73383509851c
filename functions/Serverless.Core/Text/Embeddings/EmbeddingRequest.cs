namespace Serverless.Core.Text.Embeddings;

/// <summary>An embeddings call, protocol-neutral: which model and what to embed.</summary>
/// <param name="Model">The <c>model</c> field: <c>name</c> or <c>name:version</c> (<see cref="TextModelName"/>).</param>
/// <param name="User">The caller's end-user tag (OpenAI's <c>user</c>), kept with the usage record's request id.</param>
public sealed record EmbeddingRequest(string Model, IReadOnlyList<EmbeddingInput> Inputs, string? User = null)
{
    /// <summary>The vector length the caller expects (OpenAI's <c>dimensions</c>): vectors are never shortened, so only the model's own is accepted, checked before anything is billed.</summary>
    public int? Dimensions { get; init; }
}
