namespace Serverless.Core.Text.Generation;

/// <summary>A generation call, protocol-neutral (chat completions, completions and Triton's generate all map to it).</summary>
/// <param name="Model">The <c>model</c> field: <c>name</c> or <c>name:version</c> (<see cref="TextModelName"/>).</param>
/// <param name="Inputs">One prompt per entry (completions accepts a list of prompts); a chat has one.</param>
/// <param name="N">Choices per input, each generated independently.</param>
public sealed record GenerationRequest(string Model, IReadOnlyList<GenerationInput> Inputs, GenerationOptions Options, int N = 1, string? User = null);
