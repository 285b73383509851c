namespace Serverless.Core.Text.Generation;

/// <summary>An event of one choice of a call (choices are numbered input by input, then n by n, as OpenAI does).</summary>
public readonly record struct ChoiceEvent(int Index, GenerationEvent Event);
