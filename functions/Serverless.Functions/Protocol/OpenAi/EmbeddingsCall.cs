using Serverless.Core.Text.Embeddings;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>A <c>POST /v1/embeddings</c> request as read: the protocol-neutral call, and how its answer must be written.</summary>
/// <param name="Base64">Vectors as base64 of their little-endian float32 bytes (<c>encoding_format: "base64"</c>) instead of number lists.</param>
public sealed record EmbeddingsCall(EmbeddingRequest Request, bool Base64);
