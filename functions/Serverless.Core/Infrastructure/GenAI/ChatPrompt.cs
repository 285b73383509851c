using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// The checks on chat messages before the model's chat template sees them, and the messages JSON GenAI's template
/// engine reads. A role is known when it is system, user or assistant, or when the template names it
/// (<c>'tool'</c>, <c>"developer"</c>, ...): a template that passes any role through would otherwise turn a typo into
/// a prompt the model was never trained on.
/// </summary>
internal static class ChatPrompt
{
    private static readonly string[] CommonRoles = ["system", "user", "assistant"];

    public static string MessagesJson(IReadOnlyList<ChatMessage> messages, string template)
    {
        if (messages.Count == 0)
        {
            throw new InvalidInferenceInputException("messages is empty: a chat needs at least one message");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (string.IsNullOrEmpty(message.Role))
            {
                throw new InvalidInferenceInputException($"messages[{i}].role is empty");
            }

            if (!CommonRoles.Contains(message.Role, StringComparer.Ordinal) && !Names(template, message.Role))
            {
                throw new InvalidInferenceInputException(
                    $"messages[{i}].role '{message.Role}' is not a role this model's chat template knows (system, user, assistant{OtherRoles(template)})");
            }

            // An assistant turn may be empty (a reply still to come, or one that only called tools); a user or
            // system turn with nothing in it is a client bug.
            if (string.IsNullOrEmpty(message.Content) && message.Role != "assistant")
            {
                throw new InvalidInferenceInputException($"messages[{i}].content is empty");
            }
        }

        return JsonSerializer.Serialize(messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content ?? "" }));
    }

    private static bool Names(string template, string role) =>
        template.Contains($"'{role}'", StringComparison.Ordinal) || template.Contains($"\"{role}\"", StringComparison.Ordinal);

    private static string OtherRoles(string template)
    {
        string[] candidates = ["tool", "developer", "function", "ipython"];
        var named = candidates.Where(r => Names(template, r)).ToArray();
        return named.Length == 0 ? "" : ", " + string.Join(", ", named);
    }
}
