#!/usr/bin/env bash
# Bootstraps Cake (a local dotnet tool pinned in .config/dotnet-tools.json) and runs a target:
#   ./build.sh --target=Test     (default)   ./build.sh --target=Demo   ./build.sh --target=Bench
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK 10 is required (dotnet not found on PATH)" >&2
  exit 1
fi
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
