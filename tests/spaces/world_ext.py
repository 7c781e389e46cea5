from tandem.spaces import actions
from tandem.spaces.models import JoinRequest


def extend(world):
    world.objects["invitation_a"] = actions.create_invitation(
        actor=world.people["tutor"], space=world.spaces["group_a"], role="member"
    )
    # a coordinator of another organisation waiting for the co-leads' answer
    world.objects["join_request_a"] = JoinRequest.objects.create(
        space=world.spaces["group_a"], user=world.people["other_coordinator"], role="member"
    )
