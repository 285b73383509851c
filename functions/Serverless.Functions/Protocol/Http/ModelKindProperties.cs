using System.Globalization;
using Serverless.Core.Cache;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// What metadata, /config and the repository index say of a model's kind: <c>kind</c>, and for a text model what a
/// caller needs before sending text (an encoder's dimensions and token limit, a generator's context length).
/// </summary>
public static class ModelKindProperties
{
    public static Dictionary<string, string> Of(ILoadedModel model)
    {
        var properties = new Dictionary<string, string> { ["kind"] = model.Kind.WireName() };
        switch (model)
        {
            case IEmbeddingModel embedding:
                properties["dimensions"] = Text(embedding.Info.Dimensions);
                properties["max_tokens"] = Text(embedding.Info.MaxTokens);
                properties["pooling"] = embedding.Info.Pooling;
                properties["normalize"] = embedding.Info.Normalize ? "true" : "false";
                properties["truncate"] = embedding.Info.Truncate ? "true" : "false";
                break;
            case IGenerativeModel generative:
                properties["context_length"] = Text(generative.Info.ContextLength);
                properties["model_type"] = generative.Info.ModelType;
                properties["chat_template"] = generative.Info.HasChatTemplate ? "true" : "false";
                break;
        }
        return properties;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
