using System.ComponentModel.DataAnnotations;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// The settings of configuration section <c>OpenAi</c>: what one request to the text routes (OpenAI's and Triton's
/// generate) may ask for. Each is a bound a caller could otherwise push without limit; past it the request is a 400
/// naming the field, the number and the setting, before any model is touched.
/// </summary>
public sealed class OpenAiOptions : IValidatableObject
{
    public const string Section = "OpenAi";

    /// <summary>Largest body of a text request; larger ones get 413 (a text request is small next to a tensor one).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Characters of one prompt, or of the messages of a chat together (an embedding input's are Embeddings:MaxCharactersPerInput).</summary>
    [Range(1, int.MaxValue)]
    public int MaxInputCharacters { get; set; } = 256 * 1024;

    /// <summary>Token ids of one input given as ids (OpenAI allows 8192 per embedding input).</summary>
    [Range(1, int.MaxValue)]
    public int MaxInputTokenIds { get; set; } = 8192;

    /// <summary>Prompts of one <c>/v1/completions</c> call.</summary>
    [Range(1, 10_000)]
    public int MaxPrompts { get; set; } = 32;

    /// <summary>Messages of one chat.</summary>
    [Range(1, 100_000)]
    public int MaxMessages { get; set; } = 1024;

    /// <summary>Largest <c>max_tokens</c> / <c>max_completion_tokens</c> a caller may ask for.</summary>
    [Range(1, int.MaxValue)]
    public int MaxCompletionTokens { get; set; } = 4096;

    /// <summary><c>max_tokens</c> of a completion (and Triton's generate) that names none: 16, as OpenAI's legacy completions and vLLM.</summary>
    [Range(1, int.MaxValue)]
    public int DefaultCompletionMaxTokens { get; set; } = 16;

    /// <summary>
    /// <c>max_tokens</c> of a chat completion that names none. OpenAI's default is the rest of the context; this server
    /// sets a fixed number instead (never more than <see cref="MaxCompletionTokens"/>), so an unbounded answer is never the default.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int DefaultChatMaxTokens { get; set; } = 256;

    /// <summary>Largest <c>n</c> (choices per prompt).</summary>
    [Range(1, 128)]
    public int MaxChoices { get; set; } = 8;

    /// <summary>Stop strings of one request (OpenAI allows 4).</summary>
    [Range(0, 64)]
    public int MaxStopSequences { get; set; } = 4;

    /// <summary>Characters of one stop string.</summary>
    [Range(1, 4096)]
    public int MaxStopSequenceCharacters { get; set; } = 256;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A default the server would then refuse itself is a configuration mistake, caught at start-up.
        if (DefaultCompletionMaxTokens > MaxCompletionTokens)
        {
            yield return new ValidationResult($"{Section}:DefaultCompletionMaxTokens ({DefaultCompletionMaxTokens}) must not exceed {Section}:MaxCompletionTokens ({MaxCompletionTokens})");
        }
        if (DefaultChatMaxTokens > MaxCompletionTokens)
        {
            yield return new ValidationResult($"{Section}:DefaultChatMaxTokens ({DefaultChatMaxTokens}) must not exceed {Section}:MaxCompletionTokens ({MaxCompletionTokens})");
        }
    }
}

/// <summary><see cref="OpenAiOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class OpenAiOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<OpenAiOptions>;
