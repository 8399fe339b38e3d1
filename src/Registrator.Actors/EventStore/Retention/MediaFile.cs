namespace Registrator.Actors.EventStore.Retention;

/// <summary>One file found in a <c>&lt;uuid&gt;</c> folder of the output folder (TMP_PATH), as the orphan sweep lists it.</summary>
/// <param name="Folder">The folder's name (an event id, if it is one of ours).</param>
/// <param name="Name">The file's name.</param>
/// <param name="FullPath">Its full path.</param>
/// <param name="LastWriteUtc">When it was last written (a clip being written is fresh).</param>
public sealed record MediaFile(string Folder, string Name, string FullPath, DateTime LastWriteUtc);
