namespace Serverless.Core.Text.Generation;

/// <summary>One message of a chat: <c>system</c>, <c>user</c>, <c>assistant</c> (or another role the model's chat template knows).</summary>
public sealed record ChatMessage(string Role, string Content);
