using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// Configuration section <c>Embeddings</c>: how much one embeddings call may ask of the server, each bound answered
/// with a 400 naming it. The token limit of one input is the model's own (config.json <c>embedding.max_tokens</c>).
/// </summary>
public sealed class EmbeddingsOptions
{
    public const string Section = "Embeddings";

    /// <summary>Inputs in one call: OpenAI's own limit on an embeddings request's input array.</summary>
    [Range(1, 100_000)]
    public int MaxInputsPerCall { get; set; } = 2048;

    /// <summary>
    /// Characters in one text input, checked before it is tokenized: a truncating model would cut a longer text anyway,
    /// but only after the server tokenized all of it.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxCharactersPerInput { get; set; } = 100_000;
}

/// <summary><see cref="EmbeddingsOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class EmbeddingsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<EmbeddingsOptions>;
