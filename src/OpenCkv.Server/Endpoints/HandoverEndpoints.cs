using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>`GET /v1/log/handover`: the signed statement moving this log's clients to a new log (docs/ckv-protocol.md §9).</summary>
internal static class HandoverEndpoints
{
    public static void Map(WebApplication app) =>
        app.MapGet("/v1/log/handover", (ServerState state) =>
            state.Folder.HandoverStatement(state.Options.DataFolder) is { } statement
                ? Results.Bytes(statement, "application/octet-stream")
                : throw new Directory.DirectoryException(Directory.DirectoryError.NotFound, "This log was not handed over."))
            .WithTags("Log").WithSummary("The signed handover to a new log, once there is one").Produces(200, contentType: "application/octet-stream").Produces(404);
}
