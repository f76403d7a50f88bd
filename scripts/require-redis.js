// First step of `npm test`: the tests start their own redis-server processes (7.x, from PATH).
// Where it is missing and we are root on Debian or Ubuntu, install it; otherwise stop at once and
// print the one line that installs it.
import { spawnSync } from 'node:child_process'

const INSTALL_LINE = 'sudo apt-get install -y redis-server   (macOS: brew install redis)'

function redisMajorVersion() {
  const server = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  const client = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' })
  if (server.error || client.error) return undefined
  return Number(/v=(\d+)\./.exec(server.stdout)?.[1])
}

function aptInstall() {
  const apt = (...args) =>
    spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  console.log('redis-server is missing: installing it with apt-get (root on Debian/Ubuntu)')
  if (apt('install', '-y', 'redis-server').status !== 0) {
    apt('update')
    apt('install', '-y', 'redis-server')
  }
}

let major = redisMajorVersion()
const canApt = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0
if (major === undefined && canApt) {
  aptInstall()
  major = redisMajorVersion()
}
if (major === undefined) {
  console.error(`redis-server and redis-cli are needed on PATH for the tests. Install them: ${INSTALL_LINE}`)
  process.exit(1)
}
if (!(major >= 7)) {
  console.error(`The tests need redis-server 7 or later (found ${major}). Install it: ${INSTALL_LINE}`)
  process.exit(1)
}
