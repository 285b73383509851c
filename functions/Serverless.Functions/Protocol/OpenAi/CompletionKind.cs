namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>Which of OpenAI's two generation APIs a call came through; it decides the answer's ids, object names and choice shape.</summary>
public enum CompletionKind
{
    /// <summary><c>/v1/chat/completions</c>: <c>chatcmpl-</c> ids, <c>chat.completion</c>, choices with a <c>message</c> (streamed: a <c>delta</c>).</summary>
    Chat,

    /// <summary><c>/v1/completions</c>: <c>cmpl-</c> ids, <c>text_completion</c>, choices with <c>text</c>.</summary>
    Text,
}
