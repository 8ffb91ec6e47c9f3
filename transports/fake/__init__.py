"""A faithful Cognito user pool in memory: the service, its outbox, and a transport onto it.

>>> cognito = FakeCognito()
>>> pool_id = cognito.create_user_pool(PoolName="demo")["UserPool"]["Id"]
>>> cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"]
'OFF'
"""

from ._async import AsyncFakeTransport
from ._http import FakeCognitoApp
from ._model import FakeSettings
from ._passkeys import SoftwareAuthenticator
from ._seed import SEED_FORMAT, SeedError, seeded
from ._server import FakeCognitoServer
from ._service import FakeCognito
from ._state import STATE_FORMAT, StateFileError
from ._support import ManualClock, Message, Outbox, SystemClock, mask_destination
from ._transport import FakeTransport

__all__ = [
    "SEED_FORMAT",
    "STATE_FORMAT",
    "AsyncFakeTransport",
    "FakeCognito",
    "FakeCognitoApp",
    "FakeCognitoServer",
    "FakeSettings",
    "FakeTransport",
    "ManualClock",
    "Message",
    "Outbox",
    "SeedError",
    "SoftwareAuthenticator",
    "StateFileError",
    "SystemClock",
    "mask_destination",
    "seeded",
]
