using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Text;

/// <summary>The <c>model</c> field of a text call, checked: a 400 naming the field when it is not <c>name</c> or <c>name:version</c>.</summary>
internal static class TextModelNames
{
    public static TextModelName Parse(string? model)
    {
        if (!TextModelName.TryParse(model, out var name) || !ModelName.IsValid(name.Name))
        {
            throw new InvalidInferenceInputException(string.IsNullOrEmpty(model)
                ? "'model' is required: a model name, or name:version"
                : $"'model' must be a model name, or name:version (a positive version), not '{UsageRecordText(model)}'");
        }
        return name;
    }

    private static string UsageRecordText(string text) => text.Length <= 100 ? text : text[..100] + "...";
}
