using Serverless.Core.Text;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>The <c>model</c> field every OpenAI request carries: <c>name</c> or <c>name:version</c> (<see cref="TextModelName"/>).</summary>
public static class ModelField
{
    public static string Read(RequestFields fields)
    {
        var model = fields.RequiredString("model");
        return TextModelName.TryParse(model, out _)
            ? model
            : throw RequestFields.Invalid($"'model' must be a model name or name:version (a version from 1), not \"{model}\"", "model");
    }
}
