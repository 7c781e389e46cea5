from tandem.spaces import actions


def extend(world):
    world.objects["invitation_a"] = actions.create_invitation(
        actor=world.people["tutor"], space=world.spaces["group_a"], role="member"
    )
