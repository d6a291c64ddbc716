namespace OpenCkv.Client.Profiles;

/// <summary>A contact card: the name the person chose, the handle, and the saved public verification code, if any.</summary>
public sealed record ContactEntry(string Name, string Label, string? SavedCode, ulong AddedMs);
