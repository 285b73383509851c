namespace Serverless.Core.Text.Generation;

/// <summary>What metadata, /config and /v1/models say of a generative model.</summary>
/// <param name="ContextLength">Most tokens, prompt plus generated, one sequence may hold.</param>
/// <param name="ModelType">genai_config.json's model type (llama, phi3, qwen2, decoder, ...).</param>
/// <param name="HasChatTemplate">Whether chat messages can be turned into a prompt.</param>
public sealed record GenerativeModelInfo(int ContextLength, string ModelType, bool HasChatTemplate);
